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

/** The prefix of zk-rollout's own variables: the superuser password, the desired spec, the hosts, the attempt. */
export const OWN_ENV_PREFIX = 'ZK_ROLLOUT_';

/**
 * The environment of everything the host layer starts (bash scripts, the servers they start, ssh):
 * this process's, with `extra` added, and without any of zk-rollout's own variables. A server must
 * not inherit ZK_ROLLOUT_SUPER_PASSWORD, which any process of its user could read in /proc/<pid>/environ.
 */
export function hostChildEnv(extra: Readonly<Record<string, string>> = {}, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries({ ...env, ...extra })) if (!k.startsWith(OWN_ENV_PREFIX)) out[k] = v;
  return out;
}
