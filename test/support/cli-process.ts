/** `zk-rollout` as cdktf deploy runs it: a process of its own, with the tests' superuser password. */
import { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { AUTH } from './cluster';
import { repoRoot } from './repo-root';
import { spawnClean } from './spawn-clean';

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Standard output so far. */
  readonly stdout: () => string;
  /** Standard error so far. */
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: readonly string[], env: Record<string, string> = {}, onData: (chunk: string) => void = () => undefined): CliProcess {
  // An apply that removes servers backs up first, by default into ./.zk-backups: the tests' go beside their servers.
  const baseDir = args.indexOf('--base-dir');
  const backups = args[0] === 'apply' && baseDir > 0 && !args.includes('--backup-dir') && !args.includes('--skip-backup') ? ['--backup-dir', join(args[baseDir + 1], 'backups')] : [];
  const child = spawnClean(process.execPath, [join(repoRoot(), 'dist', 'lib', 'cli', 'main.js'), ...args, ...backups], {
    env: { ...process.env, ZK_ROLLOUT_SUPER_PASSWORD: AUTH.password!, ...env },
  }) as ChildProcessWithoutNullStreams;
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += String(d); onData(String(d)); });
  child.stderr.on('data', (d) => { err += String(d); onData(String(d)); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}
