/** Test processes (cdktf, a handler) spawned without the test's ZooKeeper sockets (see lib/hosts/clean-spawn), stdin closed. */
import { SpawnOptions } from 'node:child_process';
import { spawnClean as spawnWithPipes } from '../../lib/hosts/clean-spawn';

export function spawnClean(command: string, args: readonly string[], options: Omit<SpawnOptions, 'stdio'> = {}) {
  const child = spawnWithPipes(command, args, options);
  child.stdin.end();
  return child;
}
