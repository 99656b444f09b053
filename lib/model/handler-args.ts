/**
 * The contract between the construct and the CLI: the arguments of `zk-rollout apply` and
 * `zk-rollout teardown`, one table per command mapping each field to its flag. The construct writes
 * its command lines with `toArgv`; the CLI registers its options from the same tables and reads them
 * back with `fromFlagValues`, so a flag cannot be renamed on one side only.
 */
import { DEFAULT_BAKE_MS, DEFAULT_BACKUP_DIR, DEFAULT_LOCAL_BASE_DIR, DEFAULT_TIMEOUTS, msToSeconds } from './defaults';
import { DEFAULT_BACKUP_KEEP } from './backup';
import { CONTROL_CHARS, ENSEMBLE_NAME_RE } from './validate';

/** What the construct passes to `zk-rollout apply` (Terraform's local-exec on create). */
export interface ApplyArgs {
  /** Environment variable holding the desired spec (JSON). */
  readonly desiredEnv: string;
  /** Environment variable holding the previous deploy's servers (JSON; unset or empty: none). */
  readonly previousEnv?: string;
  /** Local host driver: where server directories live. */
  readonly baseDir?: string;
  /** Environment variable holding the host driver settings (JSON). */
  readonly hostsEnv?: string;
  readonly passwordFile?: string;
  readonly createPasswordFile?: boolean;
  readonly skipAcl?: boolean;
  readonly syncSeconds?: number;
  readonly drainSeconds?: number;
  readonly quorumSeconds?: number;
  readonly bakeSeconds?: number;
  readonly rollbackOnFailure?: boolean;
  readonly acceptDrift?: boolean;
  /** Where the backup before the first removal goes (on the machine running zk-rollout). */
  readonly backupDir?: string;
  /** How many backups of the ensemble to keep there. */
  readonly backupKeep?: number;
  /** Remove servers without taking a backup first. */
  readonly skipBackup?: boolean;
  /** Write structured rollout events as JSON lines to this file, or to stdout with `-`. */
  readonly events?: string;
}

/** Every argument `zk-rollout apply` takes: the construct's, and files a user gives instead. */
export interface ApplyCommandArgs extends Omit<ApplyArgs, 'desiredEnv'> {
  readonly desired?: string;
  readonly desiredEnv?: string;
  readonly hosts?: string;
  readonly previous?: string;
  /** The pins file `zk-rollout plan --pin` wrote for the review: another plan than the reviewed one is refused. */
  readonly reviewedPlan?: string;
  /** With reviewedPlan: run the plan computed now even when it differs (said in an event). */
  readonly replan?: boolean;
}

/** `zk-rollout teardown` (Terraform's local-exec on destroy). */
export interface TeardownArgs {
  readonly ensemble: string;
  readonly baseDir?: string;
  readonly hosts?: string;
  readonly hostsEnv?: string;
  readonly deleteData?: boolean;
  readonly desired?: string;
  readonly desiredEnv?: string;
}

/** The spec and host inputs of `status` and `verify`. */
export interface SpecAndHostArgs {
  readonly desired?: string;
  readonly desiredEnv?: string;
  readonly baseDir?: string;
  readonly hosts?: string;
  readonly hostsEnv?: string;
}

export type FlagKind = 'string' | 'number' | 'boolean';

export interface FlagSpec<K extends FlagKind = FlagKind> {
  readonly flag: `--${string}`;
  /** A one-letter alias, e.g. `-d`. */
  readonly short?: `-${string}`;
  readonly kind: K;
  /** The value's placeholder in help, e.g. `<seconds>` (not for booleans). */
  readonly value?: string;
  readonly description: string;
  /** The CLI's default, as the text a user would type. */
  readonly default?: string;
  readonly required?: boolean;
  /** Numbers: seconds, `positive` (the default) or `zero-or-more`; or `count`, a whole number from 1. */
  readonly range?: 'positive' | 'zero-or-more' | 'count';
  /** Strings: what a value must look like, and what to call one that does not (`not an ensemble name (...)`). */
  readonly pattern?: { readonly test: (text: string) => boolean; readonly what: string };
}

/** The longest wait a rollout takes, in seconds (a day): well within what a timer can hold. */
export const MAX_SECONDS = 86400;

/** A file name on one line: the construct writes it into a shell command. */
const FILE_NAME = { test: (t: string) => t !== '' && !CONTROL_CHARS.test(t), what: 'must be a file name without control characters' } as const;

type KindOf<V> = NonNullable<V> extends number ? 'number' : NonNullable<V> extends boolean ? 'boolean' : 'string';

/** One entry per field of T, of the field's kind; the table's order is the order flags are written in. */
export type FlagTable<T> = { readonly [K in keyof Required<T>]-?: FlagSpec<KindOf<T[K]>> };

const seconds = (ms: number) => String(msToSeconds(ms));

const FLAGS = {
  desired: { flag: '--desired', short: '-d', kind: 'string', value: '<spec>', description: 'desired ensemble spec (JSON file)', pattern: FILE_NAME },
  desiredEnv: { flag: '--desired-env', kind: 'string', value: '<variable>', description: 'read the desired spec (JSON) from this environment variable instead (what cdktf deploy passes)' },
  baseDir: { flag: '--base-dir', kind: 'string', value: '<dir>', description: 'local host driver: where server directories live', default: DEFAULT_LOCAL_BASE_DIR, pattern: FILE_NAME },
  hosts: { flag: '--hosts', kind: 'string', value: '<file>', description: 'host driver settings (JSON): {"driver":"ssh", ...} for remote machines; default local under --base-dir', pattern: FILE_NAME },
  hostsEnv: { flag: '--hosts-env', kind: 'string', value: '<variable>', description: 'read the host driver settings (JSON) from this environment variable instead' },
} as const satisfies Record<string, FlagSpec>;

export const SPEC_AND_HOST_FLAGS: FlagTable<SpecAndHostArgs> = FLAGS;

export const APPLY_FLAGS: FlagTable<ApplyCommandArgs> = {
  desired: FLAGS.desired,
  desiredEnv: FLAGS.desiredEnv,
  previous: { flag: '--previous', kind: 'string', value: '<spec>', description: 'the previous deploy\'s spec (JSON file): its servers are looked at for the running ensemble too', pattern: FILE_NAME },
  previousEnv: { flag: '--previous-env', kind: 'string', value: '<variable>', description: 'read the previous deploy\'s spec (JSON) from this environment variable (what cdktf deploy passes; unset or empty: none)' },
  hosts: FLAGS.hosts,
  hostsEnv: FLAGS.hostsEnv,
  baseDir: FLAGS.baseDir,
  skipAcl: { flag: '--skip-acl', kind: 'boolean', description: 'let reconfig run without authentication (explicit opt-in; default is the superuser digest)' },
  passwordFile: { flag: '--password-file', kind: 'string', value: '<file>', description: 'file holding the ZooKeeper superuser password (else ZK_ROLLOUT_SUPER_PASSWORD)', pattern: FILE_NAME },
  createPasswordFile: { flag: '--create-password-file', kind: 'boolean', description: 'create --password-file with a random password if it is missing and the ensemble was never started' },
  syncSeconds: { flag: '--sync-timeout', kind: 'number', value: '<seconds>', description: 'how long a server may take to sync', default: seconds(DEFAULT_TIMEOUTS.syncMs) },
  drainSeconds: { flag: '--drain-timeout', kind: 'number', value: '<seconds>', description: 'how long to wait for clients to leave a server before removing it', default: seconds(DEFAULT_TIMEOUTS.drainMs) },
  quorumSeconds: { flag: '--quorum-timeout', kind: 'number', value: '<seconds>', description: 'how long to wait for a leader', default: seconds(DEFAULT_TIMEOUTS.quorumMs) },
  bakeSeconds: { flag: '--bake-time', kind: 'number', value: '<seconds>', range: 'zero-or-more', description: 'after new servers are added and synced, hold this long checking health before any server is removed (0: no hold)', default: seconds(DEFAULT_BAKE_MS) },
  rollbackOnFailure: { flag: '--rollback-on-failure', kind: 'boolean', description: 'when the rollout fails, return the ensemble to the membership it started from, then report both' },
  acceptDrift: { flag: '--accept-drift', kind: 'boolean', description: 'plan from the live ensemble even when its configuration moved since zk-rollout last changed it (else apply stops before acting); also ZK_ROLLOUT_ACCEPT_DRIFT=1' },
  backupDir: { flag: '--backup-dir', kind: 'string', value: '<dir>', description: 'when the plan removes a server, first take a backup into this directory and check it (on this machine)', default: DEFAULT_BACKUP_DIR, pattern: FILE_NAME },
  backupKeep: { flag: '--backup-keep', kind: 'number', value: '<n>', range: 'count', description: 'how many backups of the ensemble to keep in --backup-dir (older ones are deleted after a new one is checked)', default: String(DEFAULT_BACKUP_KEEP) },
  skipBackup: { flag: '--skip-backup', kind: 'boolean', description: 'remove servers without taking a backup first' },
  events: { flag: '--events', kind: 'string', value: '<file|->', description: 'write structured rollout events as JSON lines to this file, or to stdout with -', pattern: FILE_NAME },
  reviewedPlan: { flag: '--reviewed-plan', kind: 'string', value: '<file>', description: 'the file `zk-rollout plan --pin` wrote for the review: refuse to run another plan than that one (also ZK_ROLLOUT_REVIEWED_PLAN=<file>)', pattern: FILE_NAME },
  replan: { flag: '--replan', kind: 'boolean', description: 'with --reviewed-plan: run the plan computed now even when the ensemble moved since the review (also ZK_ROLLOUT_REPLAN=1)' },
};

export const TEARDOWN_FLAGS: FlagTable<TeardownArgs> = {
  ensemble: {
    flag: '--ensemble', kind: 'string', value: '<name>', description: 'ensemble name', required: true,
    pattern: { test: (t) => ENSEMBLE_NAME_RE.test(t), what: 'not an ensemble name (a lower-case letter, then lower-case letters, digits and dashes; at most 63)' },
  },
  hosts: { ...FLAGS.hosts, description: 'host driver settings (JSON); default local under --base-dir' },
  hostsEnv: FLAGS.hostsEnv,
  baseDir: FLAGS.baseDir,
  desired: { flag: '--desired', kind: 'string', value: '<spec>', description: 'the ensemble spec (JSON file): its existing (adopted) servers are stopped too' },
  desiredEnv: { ...FLAGS.desiredEnv, description: 'read that spec (JSON) from this environment variable instead' },
  deleteData: { flag: '--delete-data', kind: 'boolean', description: 'delete the servers\' directories after stopping them (never an adopted server\'s)' },
};

/** A flag value the table's kind or range refuses. */
export class FlagValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagValueError';
  }
}

/** The command-line words for `args`, in the table's order: unset fields and false booleans are left out. */
export function toArgv<T extends object>(table: FlagTable<T>, args: T): string[] {
  const values = args as Record<string, unknown>;
  const argv: string[] = [];
  for (const [field, spec] of Object.entries(table) as [string, FlagSpec][]) {
    const v = values[field];
    if (v === undefined || v === false) continue;
    if (spec.kind === 'boolean') argv.push(spec.flag);
    else argv.push(spec.flag, String(v));
  }
  return argv;
}

/**
 * Why `text` is not a number of seconds the flag takes, or undefined: decimal digits with at most three
 * decimals (milliseconds; no sign, exponent or hex), at most MAX_SECONDS, above 0 unless `zero-or-more`.
 * The construct checks its timeouts with the same rule on the text it writes.
 */
export function secondsProblem(spec: FlagSpec, text: string): string | undefined {
  if (spec.range === 'count') return /^\d{1,6}$/.test(text) && Number(text) >= 1 ? undefined : 'must be a whole number, at least 1';
  const what = spec.range === 'zero-or-more' ? 'a number of seconds, 0 or more' : 'a positive number of seconds';
  const rule = `must be ${what} (decimal, to the millisecond, at most ${MAX_SECONDS})`;
  if (!/^\d+(\.\d{1,3})?$/.test(text)) return rule;
  const n = Number(text);
  if (n > MAX_SECONDS || (spec.range !== 'zero-or-more' && n === 0)) return rule;
  return undefined;
}

/** A number flag's text as a number of seconds, refused with the flag and the text when out of range. */
export function parseNumberFlag(spec: FlagSpec, text: string): number {
  const problem = secondsProblem(spec, text);
  if (problem) throw new FlagValueError(`${spec.flag} ${text}: ${problem}`);
  return Number(text);
}

/**
 * The typed arguments from the values a parser found per field (text for string and number flags,
 * true for a boolean flag given): numbers are parsed and range-checked, absent fields left out.
 */
export function fromFlagValues<T extends object>(table: FlagTable<T>, valueOf: (field: string) => unknown): T {
  const out: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(table) as [string, FlagSpec][]) {
    const v = valueOf(field);
    if (v === undefined) continue;
    if (spec.kind === 'boolean') out[field] = v === true;
    else if (spec.kind === 'number') out[field] = parseNumberFlag(spec, String(v));
    else if (spec.pattern && !spec.pattern.test(String(v))) throw new FlagValueError(`${spec.flag} ${String(v)}: ${spec.pattern.what}`);
    else out[field] = String(v);
  }
  return out as T;
}
