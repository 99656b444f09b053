/**
 * The one owner of the rollout's admin session and the lock it holds, and the one policy for session
 * trouble: a connection loss keeps the session once (the client moves to another server by itself), a
 * second in a row or an ended session opens a new one (taking the lock again), and every recovery
 * counts against one budget per rollout.
 */
import { Server } from '../model/types';
import { connectString } from '../model/connect-string';
import { AdminPort } from './admin-port';
import { RolloutEventBody } from './events';
import { servingHosts } from './four-letter';
import { NotReady } from './refusal';
import { RolloutLock } from './rollout-lock';
import { resolvesWithin, sleep, waitUntil, within } from './wait';
import { classify, ErrorClass } from './zk-errors';

/** Opens a client on a connect string (authenticated as the rollout's superuser). */
export type OpenAdmin = (connect: string) => Promise<AdminPort>;

/** How long readAfresh keeps trying the rollout's own session (reconnecting) before a new one reads. */
const SAME_SESSION_READ_MS = 5000;

/** The pause between new sessions' tries to read, while none answers. */
const FRESH_READ_PAUSE_MS = 250;

/** How often a request still unanswered looks whether its client waits while a server serves. */
const STALL_CHECK_MS = 100;

/** A request unanswered this long is looked into even while its client says it is connected. */
const STALL_SUSPECT_MS = 300;

/** How long the lock's release at the end may take on the rollout's own session before a short one releases it. */
const RELEASE_MS = 2000;

/** Recoveries (re-plans after session trouble or a declined step) one rollout may make. */
export const RECOVERY_BUDGET = 10;

export interface Recovery {
  readonly cause: ErrorClass | 'not-ready';
  /** The session was closed; the next request opens a new one. */
  readonly newSession: boolean;
}

export class AdminSession {
  private current: AdminPort | null = null;
  private lossesInARow = 0;
  private recoveries = 0;
  /** Whether this rollout ever held the lock (only then is there one to release at the end). */
  private lockTaken = false;

  constructor(
    private readonly open: OpenAdmin,
    private readonly lock: RolloutLock,
    /** Where to connect: the members and the desired servers, so the session survives the membership moving. */
    private readonly servers: () => readonly Server[],
    private readonly emit: (e: RolloutEventBody) => void,
    /** Which of these `host:port` entries serve now (four-letter words; no session). */
    private readonly serving: (hosts: readonly string[]) => Promise<string[]> = servingHosts,
  ) {}

  /**
   * The session, opened and locked when there is none (or it ended). A session whose servers are all
   * leaving (a migration's old servers, once the new ones are members) moves to the servers that stay
   * while they all serve: otherwise the last removal cuts it off, and its next request waits for a new
   * session during the leader hand-off.
   */
  async client(): Promise<AdminPort> {
    if (this.current && !this.current.ended && this.leaving(this.current)) {
      const moved = await this.openLocked(); // takes over this rollout's own lock from the old session
      this.emit({ type: 'notice', code: 'session-moved', message: `the admin session moved to ${moved.hosts?.join(',') ?? 'the servers that stay'}: its servers are leaving` });
      this.current.close();
      this.current = moved;
    }
    if (this.current && !this.current.ended) return this.current;
    if (this.current) {
      this.emit({ type: 'notice', code: 'session-reopened', message: 'the admin session ended; opening a new one' });
      this.reset();
    }
    this.current = await this.openLocked();
    return this.current;
  }

  /** A new session on the servers to use now, holding the lock (closed again if the lock cannot be taken). */
  private async openLocked(): Promise<AdminPort> {
    return this.locked(await this.open(connectString(this.servers())));
  }

  /** The lock taken on this client (closed again if the lock cannot be taken). */
  private async locked(client: AdminPort): Promise<AdminPort> {
    try {
      await this.lock.take(client);
    } catch (e) {
      client.close();
      throw e;
    }
    this.lockTaken = true;
    return client;
  }

  /** Whether none of the session's servers is among those the rollout keeps (unknown hosts: no). */
  private leaving(client: AdminPort): boolean {
    if (client.hosts === undefined) return false;
    const staying = new Set(this.servers().map((s) => `${s.host}:${s.clientPort}`));
    return !client.hosts.some((h) => staying.has(h));
  }

  /** Whether a live session is open now (nothing is opened to answer). */
  get isOpen(): boolean {
    return this.current !== null && !this.current.ended;
  }

  private reset(): void {
    this.current?.close();
    this.current = null;
  }

  /**
   * A write any session may repeat (a barrier, a check write, the bake's write). This session losing
   * its server says nothing about the ensemble: a new session writes once more, and only its failure counts.
   */
  async write(path: string, payload = new Date().toISOString()): Promise<void> {
    try {
      await this.answered(await this.client(), (c) => c.barrierWrite(path, payload));
    } catch (e) {
      this.emit({ type: 'notice', code: 'write-retry', message: `write to ${path} failed (${(e as Error).message}); retrying on a new session` });
      this.reset();
      await (await this.client()).barrierWrite(path, payload);
    }
  }

  /**
   * What the committed configuration is after a request whose outcome the rollout's session could not
   * see (its connection was lost). First on the same session for up to 5 s, which reconnects by itself
   * as any client does (a new session opened while a new leader takes over waits out the client's
   * connect backoff, about 2 s); then on new, short-lived sessions of its own (no lock), one after
   * another until `withinMs` from the call: a leader's hand-off lasts while its followers load full
   * snapshots, over 15 s with 1 GiB of data on two cores. The next request opens a new session.
   */
  async readAfresh<T>(read: (client: AdminPort) => Promise<T>, withinMs: number): Promise<T> {
    const started = Date.now();
    const sameUntil = started + Math.min(SAME_SESSION_READ_MS, withinMs);
    while (this.current && !this.current.ended) {
      try {
        return await this.answered(this.current, read);
      } catch {
        // Still reconnecting, or ended: again, until a new session must read.
        if (Date.now() >= sameUntil) break;
        await sleep(100);
      }
    }
    this.reset();
    const connect = connectString(this.servers());
    let answer: { value: T } | undefined;
    let failures = 0;
    await waitUntil(`a server of ${connect} to answer after the connection loss`, Math.max(0, withinMs - (Date.now() - started)), async () => {
      try {
        const fresh = await this.open(connect);
        try {
          answer = { value: await read(fresh) };
        } finally {
          fresh.close();
        }
        return { done: true, seen: 'an answer' };
      } catch (e) {
        if (failures++ === 0) this.emit({ type: 'notice', code: 'session-waiting', message: `no server of ${connect} answers yet (${(e as Error).message}); trying again until ${Math.round(withinMs / 1000)} s after the connection loss` });
        throw e;
      }
    }, 'a leader hand-off lasts while its followers load its snapshot: raise --quorum-timeout if the ensemble serves again later', FRESH_READ_PAUSE_MS);
    return answer!.value;
  }

  /**
   * The request's answer on `client`; or, when the client has lost its server while one of its servers
   * serves again, the answer on a new session there, which takes over the lock. The native client
   * (node-zookeeper) that has tried every server once waits out a third of the session timeout even
   * after one serves again (its timer is not re-armed for the shorter retry): about 1.3 s per leader
   * hand-off at bench settings, 2 s at the defaults. The request must be one any session may repeat.
   */
  private async answered<T>(client: AdminPort, request: (c: AdminPort) => Promise<T>): Promise<T> {
    const started = Date.now();
    const pending = request(client);
    let settled = false;
    const done = pending.then(() => { settled = true; }, () => { settled = true; });
    let servingSince: number | null = null;
    while (!settled) {
      await within(done, STALL_CHECK_MS, () => undefined);
      // The client's 'connecting' event can arrive late (the library delivers it on its next turn), so a
      // request unanswered for STALL_SUSPECT_MS is looked into as well.
      if (settled || client.hosts === undefined || (client.connected !== false && Date.now() - started < STALL_SUSPECT_MS)) continue;
      const serving = await this.serving(client.hosts);
      if (settled) break;
      if (serving.length === 0) { servingSince = null; continue; }
      servingSince ??= Date.now();
      if (Date.now() - servingSince < STALL_CHECK_MS) continue; // the client's own retry gets its chance first
      const fresh = await this.freshUnless(done, serving);
      if (fresh === null) continue;
      this.emit({ type: 'notice', code: 'session-stalled', message: `the admin session was still waiting for an answer while ${serving.join(',')} served; a new session there took over the lock` });
      if (this.current === client) this.current = fresh;
      client.close();
      return settled ? pending : request(fresh);
    }
    return pending;
  }

  /** A new locked session on `hosts`, unless `done` settles first or it cannot open (then null, and no lock is taken). */
  private async freshUnless(done: Promise<void>, hosts: readonly string[]): Promise<AdminPort | null> {
    const opening = this.open(hosts.join(','));
    const first = await Promise.race([opening.then((c) => ({ c }), () => null), done.then(() => null)]);
    if (first === null) {
      opening.then((c) => c.close(), () => undefined);
      return null;
    }
    return this.locked(first.c);
  }

  /**
   * After a step (or the checks before one) failed: the recovery the policy allows, or null when the
   * error is not one to re-plan after, or the budget is spent (the caller rethrows).
   */
  recover(e: unknown): Recovery | null {
    const cause = e instanceof NotReady ? 'not-ready' : classify(e);
    if (cause !== 'not-ready' && cause !== 'connection-lost' && cause !== 'session-ended') return null;
    if (this.recoveries >= RECOVERY_BUDGET) return null;
    this.recoveries++;
    let newSession = false;
    if (cause === 'session-ended' || (cause === 'connection-lost' && this.lossesInARow++ > 0)) {
      // An ended session, or one that lost its server twice in a row (the native client may not find another by itself).
      this.reset();
      newSession = true;
    }
    return { cause, newSession };
  }

  /** A step ran to the end: connection losses are counted in a row again from zero. */
  stepDone(): void {
    this.lossesInARow = 0;
  }

  /**
   * Releases the lock explicitly (closing alone may not reach a server mid-restart) and closes. The
   * session may sit on a server the rollout just stopped: then neither its release nor its close reaches
   * a server, and the lock would stay until the session expires, refusing meanwhile the next rollout of
   * a process that lives on (a dead holder is waited for, a live one is not). So when the release fails
   * or does not answer in RELEASE_MS, a short session on the servers that stay releases it (only ours).
   */
  async close(): Promise<void> {
    const c = this.current !== null && !this.current.ended ? this.current : null;
    const released = c !== null && await resolvesWithin(this.lock.release(c), RELEASE_MS);
    this.reset();
    if (released || !this.lockTaken) return;
    try {
      const fresh = await this.open(connectString(this.servers()));
      try { await this.lock.release(fresh); } finally { fresh.close(); }
    } catch {
      // No server answers: the session's expiry frees the lock.
    }
  }
}
