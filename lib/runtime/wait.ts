/** Polling with a deadline; a timeout says what was awaited, what was last seen, and what to do. */

export class WaitTimeout extends Error {
  constructor(what: string, seconds: number, lastSeen: string, advice: string) {
    super(`timed out after ${seconds.toFixed(0)} s waiting for ${what}; last seen: ${lastSeen}; ${advice}`);
    this.name = 'WaitTimeout';
  }
}

/** Thrown by a check to end the wait at once: what it waits for can no longer happen. */
export class WaitAborted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitAborted';
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * `p`'s outcome, or `late()`'s once `ms` has passed first (its throw rejects). The timer is cleared as
 * soon as `p` settles: a pending timer keeps a process alive, and a CLI would wait it out.
 */
export async function within<T>(p: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => { try { resolve(late()); } catch (e) { reject(e); } }, ms);
  });
  try {
    return await Promise.race([p, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `p` resolves within `ms` (false when it rejects or the time passes first). */
export function resolvesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return within(p.then(() => true, () => false), ms, () => false);
}

/** How often a wait still running says so (when asked to). */
export const PROGRESS_EVERY_MS = 5000;

/** A pause before each look again: fixed, or by how many looks came before (1 after the first). */
export type Interval = number | ((looks: number) => number);

/** Calls `check` until it returns `{ done: true }` or the deadline passes; `progress` hears every few seconds how it goes. */
export async function waitUntil(
  what: string, timeoutMs: number, check: () => Promise<{ done: boolean; seen: string }>, advice: string, intervalMs: Interval = 200,
  progress?: (elapsedMs: number, seen: string) => void,
): Promise<{ waitedMs: number }> {
  const started = Date.now();
  let seen = 'nothing yet';
  let reported = started;
  for (let looks = 1; ; looks++) {
    if (progress && Date.now() - reported >= PROGRESS_EVERY_MS) { reported = Date.now(); progress(reported - started, seen); }
    try {
      const r = await check();
      seen = r.seen;
      if (r.done) return { waitedMs: Date.now() - started };
    } catch (e) {
      if (e instanceof WaitAborted) throw e;
      seen = (e as Error).message;
    }
    if (Date.now() - started > timeoutMs) throw new WaitTimeout(what, timeoutMs / 1000, seen, advice);
    await sleep(typeof intervalMs === 'number' ? intervalMs : intervalMs(looks));
  }
}
