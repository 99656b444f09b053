/**
 * Every default of a rollout, in one place: the CLI's option defaults and help text, the host
 * drivers, the construct's documented defaults and the executor read them from here.
 */

/** Bounds on the waits of a rollout, in milliseconds. */
export interface Timeouts {
  /** A joiner or restarted server reaching broadcast and the leader's zxid. @default 120000 */
  readonly syncMs: number;
  /** A leader being elected (bootstrap, after the leader leaves). @default 60000 */
  readonly quorumMs: number;
  /** At most this long for clients leaving a server before it is removed (the drain ends sooner when none leaves). @default 5000 */
  readonly drainMs: number;
  /** A server stopping gracefully before it is killed. @default 15000 */
  readonly stopMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = Object.freeze({ syncMs: 120000, quorumMs: 60000, drainMs: 5000, stopMs: 15000 });

/**
 * A drain ends when no client has left its server for this long: clients that stay are moved when the
 * removed server stops, so waiting longer for them only delays the rollout.
 */
export const DRAIN_STALL_MS = 200;

/** How long a server already out of the configuration has to exit after TERM before it is killed. */
export const REMOVED_SERVER_STOP_MS = 0;

/** How long a joiner's start waits for its JVM to answer before the next joiner starts anyway. */
export const JOINER_BOOT_MS = 20000;

/** The hold after the growth phase, checking health, before any server is removed (0: no hold). */
export const DEFAULT_BAKE_MS = 10000;

/** Local host driver: where server directories live, relative to the working directory. */
export const DEFAULT_LOCAL_BASE_DIR = '.zk-local';
/** Where apply puts the backup it takes before the first removal (on the machine running zk-rollout). */
export const DEFAULT_BACKUP_DIR = '.zk-backups';

/** SSH host driver: where server directories live on each machine. */
export const DEFAULT_SSH_BASE_DIR = '/var/lib/zk-rollout';

/** SSH host driver: ssh's ConnectTimeout, in seconds. */
export const DEFAULT_SSH_CONNECT_TIMEOUT_SECONDS = 10;

/** SSH host driver: how long one remote command may run before it is killed. */
export const SSH_COMMAND_TIMEOUT_MS = 60000;

/** `status --check`: how many transactions a member may be behind the leader. */
export const DEFAULT_MAX_LAG = 1000;

/** `plan` against live servers: how long each server has to answer its probes. */
export const PROBE_TIMEOUT_MS = 2000;

/** `teardown`: how long each server has to say whether it leads (the leader is stopped last). */
export const TEARDOWN_PROBE_TIMEOUT_MS = 1000;

/** `verify`: how long the client connection to each member may take. */
export const VERIFY_CONNECT_TIMEOUT_MS = 5000;

/** After a failed start: how long a port may take to accept before it counts as free. */
export const PORT_CHECK_TIMEOUT_MS = 500;

/** Milliseconds as the whole or fractional seconds the CLI's flags and the construct's props take. */
export function msToSeconds(ms: number): number {
  return ms / 1000;
}
