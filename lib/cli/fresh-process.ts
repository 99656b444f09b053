/**
 * The native ZooKeeper client can be left unable to connect for the rest of a process after one of
 * its sessions loses its server mid-request (a socket descriptor reused while its poll watcher is
 * stale). A rollout resumes from live state by design, so `apply` answers that failure by running
 * again in a fresh process, a bounded number of times, and says so.
 */
import { spawnClean } from '../hosts/clean-spawn';
import { classify } from '../runtime/zk-errors';

export const ATTEMPT_ENV = 'ZK_ROLLOUT_ATTEMPT';
const MAX_ATTEMPTS = 3;

export function isStuckClient(e: unknown): boolean {
  // Also a request that timed out or lost its connection with nothing left to try in this process.
  const c = classify(e);
  return c === 'unreachable' || c === 'connection-lost';
}

/** Re-runs this command in a new process when allowed; resolves its exit code, or null when not retried. */
export async function rerunInFreshProcess(argv: readonly string[], e: unknown): Promise<number | null> {
  const attempt = Number(process.env[ATTEMPT_ENV] ?? '1');
  if (!isStuckClient(e) || attempt >= MAX_ATTEMPTS || !argv.includes('apply')) return null;
  process.stderr.write(`zk-rollout: ${(e as Error).message}; the ZooKeeper client in this process may be stuck: resuming in a fresh process (attempt ${attempt + 1} of ${MAX_ATTEMPTS})\n`);
  const child = spawnClean(process.execPath, argv.slice(1), { env: { ...process.env, [ATTEMPT_ENV]: String(attempt + 1) } });
  child.stdin.end();
  child.stdout.pipe(process.stdout);
  child.stderr.pipe(process.stderr);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
