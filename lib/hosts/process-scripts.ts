/**
 * The bash fragments both layouts use to find and signal a server's process (pure). A pid counts only
 * while /proc shows it running QuorumPeerMain: a stale pid file must never get another process signalled.
 */
import { QuorumTlsPhase } from '../model/tls';
import { sq } from './shell';
import { Machine } from './machine';
import { ServerStatus } from './layout';

/**
 * Reads $pid's command line: sets $__q when an argument ends in QuorumPeerMain, and $__c when one is
 * exactly `zooCfg`. Bash builtins only: an observation looks at every server, and a process per
 * look per server was most of its time.
 */
function scanCmdline(zooCfg?: string): string {
  return `__a=(); __q=; __c=; mapfile -d '' __a 2>/dev/null < /proc/$pid/cmdline; `
    + `for __x in "\${__a[@]}"; do [[ $__x == *QuorumPeerMain ]] && __q=1; ${zooCfg === undefined ? '' : `[ "$__x" = ${sq(zooCfg)} ] && __c=1; `}done`;
}

/** Sets $pid from a pid file, or to '' unless that pid runs QuorumPeerMain (on `zooCfg`, when given). */
export function pidFromFile(pidFile: string, zooCfg?: string): string {
  return `pid=; read -r pid 2>/dev/null < ${sq(pidFile)}; pid=\${pid//[[:space:]]/}; case "$pid" in ''|*[!0-9]*) pid= ;; esac; `
    + `if [ -n "$pid" ]; then ${scanCmdline(zooCfg)}; [ -n "$__q" ]${zooCfg === undefined ? '' : ' && [ -n "$__c" ]'} || pid=; fi`;
}

/** Clears $pid unless that process runs on `zooCfg` (a declared service that runs another configuration is not this server). */
export function onlyOnConfig(zooCfg: string): string {
  return `if [ -n "$pid" ]; then ${scanCmdline(zooCfg)}; [ -n "$__c" ] || pid=; fi`;
}

/** Sets $pid to the unit's main process, or to '' when it has none. */
export function pidFromUnit(unit: string): string {
  return `pid=$(systemctl show -p MainPID --value ${sq(unit)} 2>/dev/null); case "$pid" in ''|0|*[!0-9]*) pid= ;; esac`;
}

/** Prints the pid (set by `findPid`) and the fingerprint in `runningHashFile` on one line, or an empty line. */
export function statusScript(findPid: string, runningHashFile: string): string {
  return `( ${findPid}; __h=; [ -n "$pid" ] && read -r __h 2>/dev/null < ${sq(runningHashFile)}; [ -n "$pid" ] && echo "$pid $__h" || echo )`;
}

/** How the fingerprint file names the quorum TLS phase after the fingerprint (absent: plain). */
export const QUORUM_TLS_TOKEN = 'quorum-tls=';

/** statusScript's line: the pid, then the fingerprint file's line (fingerprint, and the quorum TLS phase when not plain). */
export function parseStatus(line: string): ServerStatus {
  const [pid, hash, ...rest] = line.trim().split(/\s+/);
  const phase = rest.find((t) => t.startsWith(QUORUM_TLS_TOKEN))?.slice(QUORUM_TLS_TOKEN.length);
  const quorumTls = phase === '1' || phase === '2' || phase === '3' ? { quorumTls: Number(phase) as QuorumTlsPhase } : {};
  return pid ? { pid: Number(pid), ...(hash ? { runningHash: hash, ...quorumTls } : {}) } : { pid: null };
}

/** One round trip for several servers of one machine: their status scripts' lines, in order. */
export async function readStatuses(m: Machine, scripts: readonly string[], attempts = 2): Promise<ServerStatus[]> {
  if (scripts.length === 0) return [];
  const { stdout, stderr } = await m.run(`${scripts.join('; ')}; exit 0`);
  // Every script prints exactly one line: fewer means the look failed, not that nothing runs (a server
  // wrongly seen as stopped can get an ensemble started afresh beside it).
  const lines = stdout.split('\n');
  if (lines.length < scripts.length + 1) {
    if (attempts > 1) return readStatuses(m, scripts, attempts - 1);
    throw new Error(`could not read the servers' status on ${m.describe()}: ${lines.length - 1} line(s) for ${scripts.length} server(s)${stderr.trim() ? ` (${stderr.trim().split('\n')[0]})` : ''}`);
  }
  return scripts.map((_, i) => parseStatus(lines[i]));
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
  return (await m.run(`pid=${pid}; ${scanCmdline()}; [ -n "$__q" ]`)).code === 0;
}

/**
 * Prints a server log's last three error lines: ERROR lines, the exception line right after one, and
 * `Caused by` lines. Not every line naming an exception: a running server logs harmless ones at WARN
 * (a probe that closed its socket, an interrupted thread), and those would hide the cause.
 */
export function logErrorsScript(log: string): string {
  return `awk '/ ERROR /{print; g=1; next} /^Caused by/{print; g=0; next} g && !/^[0-9]/ && !/^[[:space:]]/{print} {g=0}' ${sq(log)} 2>/dev/null | tail -3; exit 0`;
}
