/** The systemd unit the ssh driver writes for a server on a host that runs systemd (pure rendering). */
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
