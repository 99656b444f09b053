/**
 * The bash fragments both layouts use to find and signal a server's process (pure). A pid counts only
 * while /proc shows it running QuorumPeerMain: a stale pid file must never get another process signalled.
 */
import { sq } from './shell';
import { Machine } from './machine';
import { ServerStatus } from './layout';

/** Sets $pid from a pid file, or to '' unless that pid runs QuorumPeerMain (on `zooCfg`, when given). */
export function pidFromFile(pidFile: string, zooCfg?: string): string {
  const args = `tr '\\0' '\\n' < /proc/$pid/cmdline`;
  return `pid=$(tr -d ' \\n' < ${sq(pidFile)} 2>/dev/null); case "$pid" in ''|*[!0-9]*) pid= ;; esac; `
    + `if [ -n "$pid" ] && [ -r /proc/$pid/cmdline ] && ${args} | grep -q 'QuorumPeerMain$'`
    + `${zooCfg === undefined ? '' : ` && ${args} | grep -qxF ${sq(zooCfg)}`}; then :; else pid=; fi`;
}

/** Clears $pid unless that process runs on `zooCfg` (a declared service that runs another configuration is not this server). */
export function onlyOnConfig(zooCfg: string): string {
  return `if [ -n "$pid" ] && tr '\\0' '\\n' < /proc/$pid/cmdline 2>/dev/null | grep -qxF ${sq(zooCfg)}; then :; else pid=; fi`;
}

/** Sets $pid to the unit's main process, or to '' when it has none. */
export function pidFromUnit(unit: string): string {
  return `pid=$(systemctl show -p MainPID --value ${sq(unit)} 2>/dev/null); case "$pid" in ''|0|*[!0-9]*) pid= ;; esac`;
}

/** One round trip: the pid (set by `findPid`) and the fingerprint in `runningHashFile`. */
export async function readStatus(m: Machine, findPid: string, runningHashFile: string): Promise<ServerStatus> {
  const r = await m.run(`${findPid}; [ -n "$pid" ] && echo "$pid $(cat ${sq(runningHashFile)} 2>/dev/null)"; exit 0`);
  const [pid, hash] = r.stdout.trim().split(/\s+/);
  return pid ? { pid: Number(pid), ...(hash ? { runningHash: hash } : {}) } : { pid: null };
}

/** Copies the fingerprint of the files a server starts from to where status reads it. */
export function recordRunningHash(settingsHashFile: string, runningHashFile: string): string {
  return `cp -f ${sq(settingsHashFile)} ${sq(runningHashFile)} 2>/dev/null || rm -f ${sq(runningHashFile)}`;
}

export async function killPid(m: Machine, sig: 'TERM' | 'KILL', pid: number): Promise<void> {
  await m.run(`kill -${sig} ${pid} 2>/dev/null; exit 0`);
}

/** Whether `pid` still runs QuorumPeerMain (a server whose stop command already removed its pid file). */
export async function quorumPeerAlive(m: Machine, pid: number): Promise<boolean> {
  return (await m.run(`tr '\\0' '\\n' < /proc/${pid}/cmdline 2>/dev/null | grep -q 'QuorumPeerMain$'`)).code === 0;
}
