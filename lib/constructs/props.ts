/** Props of the ZooKeeperEnsemble construct, in the style of aws-cdk-lib: every default documented. */
import { EnsembleSpec } from '../model/types';
import { SshMachine } from '../hosts/ssh';

/** Which Terraform resource carries the records and the rollout. Both behave the same. */
export type ResourceKind = 'terraform_data' | 'null_resource';

/** Servers run as processes on the machine that runs `cdktf deploy` (loopback addresses). */
export interface LocalHostsProps {
  readonly driver: 'local';
  /**
   * Where server directories (config, data, logs, pid files) live, relative to the app's directory.
   * @default '.zk-local'
   */
  readonly baseDir?: string;
}

/**
 * SSH settings of one machine (address, port, user, key, known_hosts, jump host, service manager,
 * java, classpath, root); unset fields fall back to the ensemble-wide ones. Defaults: see SshMachine.
 */
export type SshMachineProps = SshMachine;

/**
 * Servers run on remote machines reached with the OpenSSH client (BatchMode, known-hosts checking on).
 * Probes and reconfig still go to each server's client address.
 */
export interface SshHostsProps extends SshMachine {
  readonly driver: 'ssh';
  /** Where server directories live on each machine. @default '/var/lib/zk-rollout' */
  readonly baseDir?: string;
  /**
   * Per-machine settings by server host. Every server's host is looked at; list here too any machine
   * being retired in this deploy, so the rollout can find its servers.
   * @default {}
   */
  readonly machines?: Readonly<Record<string, SshMachineProps>>;
}

export type HostsProps = LocalHostsProps | SshHostsProps;

/**
 * How the handler authenticates its reconfigs. The password itself never enters the construct:
 * it comes from a file named here or from `ZK_ROLLOUT_SUPER_PASSWORD` / `ZK_ROLLOUT_SUPER_PASSWORD_FILE`
 * in the environment of `cdktf deploy`.
 */
export interface SuperuserProps {
  /**
   * File holding the superuser password, relative to the app's directory.
   * @default - the deploying environment's ZK_ROLLOUT_SUPER_PASSWORD or ZK_ROLLOUT_SUPER_PASSWORD_FILE
   */
  readonly passwordFile?: string;
  /**
   * Generate a random password into `passwordFile` (mode 0600) when the file does not exist yet and
   * the ensemble has never been started. Meant for local development ensembles.
   * @default false
   */
  readonly createPasswordFile?: boolean;
  /**
   * Run reconfig without authentication (`skipACL=yes` on every server). An explicit opt-in: anyone who
   * can reach a client port can then change membership.
   * @default false
   */
  readonly skipAcl?: boolean;
}

/** Bounds on the waits of a rollout; a wait that runs out fails the deploy with what it saw. Defaults: lib/model/defaults (DEFAULT_TIMEOUTS, DEFAULT_BAKE_MS). */
export interface RolloutTimeoutsProps {
  /** How long a joining or restarted server may take to sync with the leader. @default 120 */
  readonly syncSeconds?: number;
  /** How long to wait for clients to leave a server before it is removed. @default 5 */
  readonly drainSeconds?: number;
  /** How long to wait for a leader. @default 60 */
  readonly quorumSeconds?: number;
  /**
   * After new servers are added and synced (a migration or replacement), hold this long checking that
   * the ensemble stays healthy before any old server is removed; 0 disables the hold. @default 10
   */
  readonly bakeSeconds?: number;
}

/** Where the backup before a rollout's first removal goes (see the README's Backups section). */
export interface BackupBeforeRolloutProps {
  /** Directory on the machine running cdktf deploy, relative to the app's directory. @default '.zk-backups' */
  readonly dir?: string;
  /** How many backups of the ensemble to keep there. @default 5 */
  readonly keep?: number;
}

/**
 * The ensemble spec (name, servers, settings, strategy, standalone, existing: see EnsembleSpec) and
 * where and how the construct deploys it.
 */
export interface ZooKeeperEnsembleProps extends EnsembleSpec {
  /** Where servers run. @default { driver: 'local', baseDir: '.zk-local' } */
  readonly hosts?: HostsProps;
  /** @default 'terraform_data' (built into Terraform >= 1.4, no provider download) */
  readonly resourceKind?: ResourceKind;
  /** @default - password from the deploying environment (see SuperuserProps) */
  readonly superuser?: SuperuserProps;
  /** @default - see RolloutTimeoutsProps */
  readonly timeouts?: RolloutTimeoutsProps;
  /**
   * When a deploy's rollout fails, return the ensemble to the membership it started from (settings are
   * not rolled back), then fail the deploy saying so.
   * @default false (the ensemble stays where the failure left it; the next deploy resumes)
   */
  readonly rollbackOnFailure?: boolean;
  /**
   * Before a deploy's rollout removes its first server, take a backup of the data from a synced server,
   * check that it loads as the ensemble reported, and stop before removing anything if it does not.
   * false: no backup. Rollouts that remove no server take none.
   * @default { dir: '.zk-backups', keep: 5 }
   */
  readonly backupBeforeRollout?: boolean | BackupBeforeRolloutProps;
  /**
   * Append every deploy's rollout events to this file, relative to the app's directory: one JSON
   * object per line (docs/events.md), for dashboards, audits and tests. The human log is printed either way.
   * @default - none
   */
  readonly eventsFile?: string;
  /**
   * Warn at synth about voter counts that buy no fault tolerance (an even number, or fewer than three).
   * @default true
   */
  readonly sizingWarnings?: boolean;
  /**
   * On `cdktf destroy`, delete the servers' data directories after stopping them.
   * @default false (servers are stopped, their data is kept)
   */
  readonly deleteDataOnDestroy?: boolean;
}
