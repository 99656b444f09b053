/** This machine as a `Machine`: bash scripts and files right here. */
import { chmod, copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { childOutput } from './child-output';
import { hostChildEnv, spawnClean } from './clean-spawn';
import { Machine, RunOptions, RunResult, WriteOptions } from './machine';

/**
 * How long to wait for the script's output once bash has exited. A script that starts a server in the
 * background and forgets to redirect its output would otherwise keep the pipes, and this call, open
 * for as long as the server runs.
 */
const OUTPUT_GRACE_MS = 1000;

export class LocalMachine implements Machine {
  describe(): string { return 'this machine'; }

  run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    // Through spawnClean: the script may start a server, which must not inherit the native
    // ZooKeeper client's sockets (they are not close-on-exec), nor zk-rollout's own variables.
    const child = spawnClean('/bin/bash', ['-c', script], { env: hostChildEnv(opts.env) });
    child.stdin.on('error', () => { /* the script may exit before reading everything; its exit code tells */ });
    child.stdin.end(opts.stdin ?? '');
    return childOutput(child, OUTPUT_GRACE_MS).catch((e: Error) => { throw new Error(`cannot run bash on this machine: ${e.message}`); });
  }

  writeFileAtomic(path: string, content: string, opts: WriteOptions = {}): Promise<void> {
    return writeFileAtomic(path, content, opts.mode);
  }

  async readFile(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw e;
    }
  }

  async download(path: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(path, localPath);
  }

  async upload(localPath: string, path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await copyFile(localPath, path);
    await chmod(path, 0o640);
  }
}
