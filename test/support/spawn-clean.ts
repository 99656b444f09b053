/**
 * Spawns a command through bash after closing every inherited descriptor above stderr: the native
 * ZooKeeper client's sockets (a writer's session in the test process) are not close-on-exec and must
 * not live on in cdktf, Terraform or a handler.
 */
import { ChildProcessByStdio, spawn, SpawnOptions } from 'node:child_process';
import { Readable } from 'node:stream';

const CLOSE_FDS_AND_EXEC = 'for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done; exec "$@"';

export function spawnClean(command: string, args: readonly string[], options: Omit<SpawnOptions, 'stdio'> = {}): ChildProcessByStdio<null, Readable, Readable> {
  return spawn('/bin/bash', ['-c', CLOSE_FDS_AND_EXEC, 'bash', command, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
}
