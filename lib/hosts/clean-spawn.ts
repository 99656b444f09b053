/**
 * Child processes that inherit no descriptor above stderr. The native ZooKeeper client's sockets are
 * not close-on-exec; a child (a server, ssh, cdktf) holding copies of them breaks the client's later
 * connections in this process. So children start through bash, which closes them before exec.
 */
import { ChildProcessByStdio, spawn, SpawnOptions } from 'node:child_process';
import { Readable, Writable } from 'node:stream';

/** Closes every descriptor above 2, then execs "$@" (bash handles multi-digit descriptors). */
export const CLOSE_FDS = 'for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done';

export function spawnClean(command: string, args: readonly string[], options: Omit<SpawnOptions, 'stdio'> = {}): ChildProcessByStdio<Writable, Readable, Readable> {
  return spawn('/bin/bash', ['-c', `${CLOSE_FDS}; exec "$@"`, 'bash', command, ...args], { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
}
