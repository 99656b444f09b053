/**
 * The systemd unit the ssh driver writes for its own servers, and the drop-in for adopted ones (pure
 * rendering). Every value is quoted or checked by the rules of systemd.syntax(7) and
 * systemd.service(5), so that no setting can add a line (a directive) or change another.
 */
export interface UnitOptions {
  readonly description: string;
  readonly workingDirectory: string;
  /** The full command line, already one argument per element. It holds no secret (those go in an @argfile). */
  readonly command: readonly string[];
  readonly log: string;
  /** The account the server runs as (`User=`). */
  readonly user: string;
  /** Its group (`Group=`). @default the user's own group */
  readonly group?: string;
  /** Where the server writes (its directory): the only writable paths under ProtectSystem=strict. */
  readonly readWritePaths: readonly string[];
  /** A port below 1024: the unit keeps CAP_NET_BIND_SERVICE, and no other capability. @default false */
  readonly privilegedPort?: boolean;
}

/** A value that holds a control character would end its line: a newline would start a directive of its own. */
function refuseControl(what: string, value: string): void {
  if (/[\x00-\x1f\x7f]/.test(value)) {
    throw new Error(`${what} ${JSON.stringify(value)} cannot go into a systemd unit: it holds a control character (a newline would start a new directive)`);
  }
}

/**
 * A path given as a directive's raw value (WorkingDirectory=, StandardOutput=append:): absolute, no
 * control character, no backslash (a trailing one continues the line) and no surrounding whitespace
 * (systemd strips it); `%` doubled, as systemd expands %-specifiers there.
 */
export function unitPath(what: string, path: string): string {
  refuseControl(what, path);
  if (!path.startsWith('/') || path !== path.trim() || path.includes('\\')) {
    throw new Error(`${what} ${JSON.stringify(path)} cannot go into a systemd unit: it must be an absolute path without a backslash or surrounding whitespace`);
  }
  return path.replace(/%/g, '%%');
}

/** A quoted word (systemd.syntax: double quotes, `\\` and `\"` escaped); `%` doubled for specifiers. */
function quoted(what: string, word: string): string {
  refuseControl(what, word);
  return `"${word.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%')}"`;
}

/** One argument of ExecStart=: quoted, and `$` doubled, as systemd substitutes $VARIABLES in command lines. */
export function execArg(word: string): string {
  return quoted('the argument', word).replace(/\$/g, '$$$$');
}

/**
 * ExecStart='s command: every argument quoted. The executable may not begin with one of the prefixes
 * systemd reads from the first word even when it is quoted (`-@:+!|`).
 */
export function execCommand(command: readonly string[]): string {
  if (command.length === 0) throw new Error('a systemd unit needs a command');
  if (/^[-@:+!|]/.test(command[0])) throw new Error(`the executable ${JSON.stringify(command[0])} cannot start a systemd command line: systemd reads a leading ${command[0][0]} as a prefix`);
  return command.map(execArg).join(' ');
}

/** A user or group name for User=/Group=. */
function account(what: string, name: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(name)) throw new Error(`${what} ${JSON.stringify(name)} is not a user or group name systemd accepts`);
  return name;
}

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

export function renderSystemdUnit(o: UnitOptions): string {
  refuseControl('the description', o.description);
  if (o.description.includes('\\')) throw new Error(`the description ${JSON.stringify(o.description)} cannot go into a systemd unit: it holds a backslash`);
  const writable = o.readWritePaths.map((p) => { unitPath('a writable path', p); return quoted('a writable path', p); });
  // PrivateTmp gives the server a /tmp of its own, which would hide a directory of its under /tmp.
  const privateTmp = ![o.workingDirectory, ...o.readWritePaths].some((p) => under(p, '/tmp') || under(p, '/var/tmp'));
  const capabilities = o.privilegedPort ? 'CAP_NET_BIND_SERVICE' : '';
  return [
    '[Unit]',
    `Description=${o.description.replace(/%/g, '%%')}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `User=${account('the service user', o.user)}`,
    ...(o.group !== undefined ? [`Group=${account('the service group', o.group)}`] : []),
    'UMask=0027',
    `WorkingDirectory=${unitPath('the working directory', o.workingDirectory)}`,
    `ExecStart=${execCommand(o.command)}`,
    `StandardOutput=append:${unitPath('the log', o.log)}`,
    `StandardError=append:${unitPath('the log', o.log)}`,
    // The rollout decides when a server runs; systemd must not restart one the rollout stopped.
    'Restart=no',
    'TimeoutStopSec=30',
    'SuccessExitStatus=143',
    // Hardening: ZooKeeper needs its own directory, its ports, and nothing else. No
    // MemoryDenyWriteExecute (the JIT writes code) and no system call filter (not tried on every JVM).
    'NoNewPrivileges=yes',
    `CapabilityBoundingSet=${capabilities}`,
    `AmbientCapabilities=${capabilities}`,
    'ProtectSystem=strict',
    `ReadWritePaths=${writable.join(' ')}`,
    'ProtectHome=read-only',
    ...(privateTmp ? ['PrivateTmp=yes'] : []),
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'SystemCallArchitectures=native',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * A drop-in for a unit zk-rollout did not write (an adopted server's service): only the JVM options it
 * needs, in SERVER_JVMFLAGS, which ZooKeeper's start script passes to java. They hold no secret: the
 * superuser digest is in a 0600 file the flags name as `@<file>`.
 */
export function renderJvmFlagsDropIn(serverJvmFlags: string): string {
  return [
    '# Written by zk-rollout: the JVM options the rollout needs (the superuser digest through the @file they name).',
    '[Service]',
    // Environment= is unquoted like a word, with %-specifiers; it substitutes no $VARIABLES.
    `Environment=${quoted('SERVER_JVMFLAGS', `SERVER_JVMFLAGS=${serverJvmFlags}`)}`,
    '',
  ].join('\n');
}
