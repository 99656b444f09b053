/**
 * The rollout lock: an ephemeral znode naming its holder. A second rollout fails fast naming the
 * holder; a killed handler's lock goes with its session; this rollout's own earlier session's lock
 * (left when that session lost its server) is taken over at once instead of waited out.
 */
import { hostname } from 'node:os';
import { AdminPort } from './admin-port';
import { RolloutEventBody } from './events';
import { RolloutError } from './refusal';
import { classify } from './zk-errors';

export const LOCK_ROOT = '/zk-rollout/locks';
const EPHEMERAL = 1;

/** The pid of a lock holder on this machine whose process is gone, else null. */
export function deadLocalHolder(lockData: string): number | null {
  let holder: { host?: unknown; pid?: unknown };
  try { holder = JSON.parse(lockData) as typeof holder; } catch { return null; }
  if (holder.host !== hostname() || typeof holder.pid !== 'number') return null;
  try {
    process.kill(holder.pid, 0);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH' ? holder.pid : null;
  }
}

export class RolloutLock {
  readonly path: string;

  constructor(
    private readonly ensemble: string,
    private readonly rolloutId: string,
    private readonly emit: (e: RolloutEventBody) => void,
    private readonly sleep: (ms: number) => Promise<void>,
    /** How long a holder that is going away (unreadable, or a dead local process) is waited for. */
    private readonly patienceMs = 30000,
    /**
     * The ensemble was just restored from a backup: any holder is a session of the ensemble the backup
     * came from (a backup taken by apply holds its lock), which the new leader expires after its timeout.
     */
    private readonly restored = false,
  ) {
    this.path = `${LOCK_ROOT}/${ensemble}`;
  }

  private holder(): string {
    return JSON.stringify({ host: hostname(), pid: process.pid, rollout: this.rolloutId, since: new Date().toISOString() });
  }

  private ours(data: string): boolean {
    try { return (JSON.parse(data) as { rollout?: unknown }).rollout === this.rolloutId; } catch { return false; }
  }

  async take(client: AdminPort): Promise<void> {
    await client.ensurePath(LOCK_ROOT);
    const until = Date.now() + this.patienceMs;
    let saidDead = false;
    for (;;) {
      try {
        await client.create(this.path, this.holder(), EPHEMERAL);
        return;
      } catch (e) {
        if (classify(e) !== 'node-exists') throw e;
      }
      const current = await client.get(this.path).catch(() => '');
      // Ours, from a session this rollout gave up on: that session can do nothing more, so its lock is taken over.
      if (this.ours(current)) { await client.delete(this.path); continue; }
      const dead = deadLocalHolder(current);
      if (dead !== null && !saidDead) {
        saidDead = true;
        this.emit({ type: 'notice', code: 'lock-dead-holder', message: `lock ${this.path} is held by process ${dead}, which is no longer running; waiting for its session to expire` });
      }
      if (this.restored && current !== '' && !saidDead) {
        saidDead = true;
        this.emit({ type: 'notice', code: 'lock-dead-holder', message: `lock ${this.path} came with the restored data (held by ${current}); waiting for that session to expire` });
      }
      // A holder that could not be read (the znode just went) is looked at again; a dead one's session ends soon.
      if ((current === '' || dead !== null || this.restored) && Date.now() < until) { await this.sleep(500); continue; }
      throw new RolloutError('lock-held', `another rollout of ensemble ${this.ensemble} is running: lock ${this.path} is held by ${current || 'an unknown holder'}; wait for it to finish (a killed handler's lock expires with its session)`);
    }
  }

  /** Deletes the lock only while it is still ours (never another rollout's). */
  async release(client: AdminPort): Promise<void> {
    if (this.ours(await client.get(this.path))) await client.delete(this.path);
  }
}
