/** How a rollout stops: a refusal or failure with a machine-readable code next to the human reason. */
import { RefusalCode } from '../planner/types';

/** Why the executor stopped, beyond the planner's own refusals. */
export type RolloutCode =
  | RefusalCode
  | 'unmanaged-servers' | 'membership-unreadable' | 'existing-silent' | 'kept-data-older' | 'rewrite-loses-settings'
  | 'declaration-mismatch' | 'drift' | 'lock-held' | 'incomplete-copy' | 'bake-failed' | 'no-progress' | 'no-convergence'
  | 'not-authorised' | 'reconfig-unexpected' | 'rolled-back' | 'rollback-failed' | 'ensemble-vanished' | 'tls-untrusted' | 'backup-failed' | 'restore-over-running' | 'plan-stale';

export class RolloutError extends Error {
  /** The lines under the reason, when the reason has them (a planner refusal's details). */
  readonly details: readonly string[];

  constructor(readonly code: RolloutCode, message: string, options?: { cause?: unknown; details?: readonly string[] }) {
    super(options?.details?.length ? `${message}\n${options.details.map((d) => `  - ${d}`).join('\n')}` : message, options);
    this.name = 'RolloutError';
    this.details = options?.details ?? [];
  }
}

/** ZooKeeper refused the superuser's request: a wrong password (or none where skipACL is off); said the same wherever it happens. */
export function notAuthorised(what: string, cause: unknown): RolloutError {
  return new RolloutError('not-authorised', `${what} was refused (not authorised): the superuser password does not match the servers' superDigest, or skipACL is off while no password was given. `
    + 'Nothing was changed. Give the password the servers were started with (ZK_ROLLOUT_SUPER_PASSWORD, ZK_ROLLOUT_SUPER_PASSWORD_FILE or --password-file), then re-run apply', { cause });
}

/** The step did not happen and can be planned again from the live state (a reconfig ZooKeeper declined, a replica reset). */
export class NotReady extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReady';
  }
}
