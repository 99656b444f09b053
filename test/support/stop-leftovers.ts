/**
 * After a test process crashed (the native ZooKeeper client can abort the whole process; see the
 * README), its afterAll never ran; after a test ran past its timeout, afterAll may not have stopped
 * what the abandoned step started. This stops what that run started, by pid: every pid file under
 * the test directories created since the marker, and only processes whose command line names that
 * directory (ZooKeeper servers, the ssh test bed's sshd). Nothing is ended by name.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIXES = ['zk-it-', 'zk-sshbed-', 'zk-e2e-', 'zk-bench-cdktf-'];

function pidFiles(dir: string, depth = 0): string[] {
  if (depth > 8) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return pidFiles(p, depth + 1);
    return e.name === 'zookeeper.pid' || e.name === 'sshd.pid' ? [p] : [];
  });
}

/** Stops every process started under `dir` (by its pid file), when its command line still names `dir`. */
export function stopLeftoversIn(dir: string): number[] {
  const stopped: number[] = [];
  if (!existsSync(dir)) return stopped;
  for (const file of pidFiles(dir)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) continue;
    let cmdline = '';
    try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { continue; }
    if (!cmdline.includes(dir)) continue; // not ours (the pid was reused)
    try { process.kill(pid, 'SIGKILL'); stopped.push(pid); } catch { /* already gone */ }
  }
  return stopped;
}

export function stopLeftovers(sinceMs: number): number[] {
  const stopped: number[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!PREFIXES.some((p) => name.startsWith(p))) continue;
    const dir = join(tmpdir(), name);
    if (statSync(dir).mtimeMs < sinceMs && statSync(dir).ctimeMs < sinceMs) continue;
    stopped.push(...stopLeftoversIn(dir));
  }
  return stopped;
}

if (require.main === module) {
  const since = Number(process.argv[2]);
  if (!Number.isFinite(since)) { process.stderr.write('usage: stop-leftovers <since-ms>\n'); process.exit(2); }
  const stopped = stopLeftovers(since);
  process.stdout.write(`stopped ${stopped.length} process(es) left by the run${stopped.length ? `: ${stopped.join(', ')}` : ''}\n`);
}
