/** The systemd unit the ssh driver writes for its own servers, and the drop-in for adopted ones (pure rendering). */
export interface UnitOptions {
  readonly description: string;
  readonly workingDirectory: string;
  /** The full command line, already one argument per element. */
  readonly command: readonly string[];
  readonly log: string;
}

/** systemd's own quoting: double quotes, with backslash and double quote escaped; `%` doubled for specifiers. */
function unitQuote(arg: string): string {
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
}

export function renderSystemdUnit(o: UnitOptions): string {
  return [
    '[Unit]',
    `Description=${o.description}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${o.workingDirectory}`,
    `ExecStart=${o.command.map(unitQuote).join(' ')}`,
    `StandardOutput=append:${o.log}`,
    `StandardError=append:${o.log}`,
    // The rollout decides when a server runs; systemd must not restart one the rollout stopped.
    'Restart=no',
    'TimeoutStopSec=30',
    'SuccessExitStatus=143',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * A drop-in for a unit zk-rollout did not write (an adopted server's service): only the JVM options it
 * needs, in SERVER_JVMFLAGS, which ZooKeeper's start script passes to java.
 */
export function renderJvmFlagsDropIn(serverJvmFlags: string): string {
  return [
    '# Written by zk-rollout: the JVM options the rollout needs (its superuser digest among them).',
    '[Service]',
    `Environment=${unitQuote(`SERVER_JVMFLAGS=${serverJvmFlags}`)}`,
    '',
  ].join('\n');
}
