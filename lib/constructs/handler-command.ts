/**
 * The command lines Terraform's local-exec runs: `zk-rollout apply` on create and `zk-rollout teardown`
 * on destroy. They run from the app's directory (working_dir), so they resolve on a fresh clone after
 * `npm ci` with no global install: `node <path of this package's CLI, relative to the app>`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { APPLY_FLAGS, ApplyArgs, TEARDOWN_FLAGS, TeardownArgs, toArgv } from '../model/handler-args';
import { BackupBeforeRolloutProps, RolloutTimeoutsProps, SuperuserProps } from './props';

/** The environment variable that carries the desired spec (JSON) to the handler. */
export const DESIRED_ENV = 'ZK_ROLLOUT_DESIRED';
/** The environment variable that carries the host driver settings (JSON) to the handler. */
export const HOSTS_ENV = 'ZK_ROLLOUT_HOSTS';
/** The environment variable that carries the previous deploy's servers (JSON list) to the handler. */
export const PREVIOUS_ENV = 'ZK_ROLLOUT_PREVIOUS';
export const PACKAGE_NAME = 'cdktf-zookeeper';

/** This package's root: the nearest package.json named cdktf-zookeeper above this file. */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package above ${from}`);
  }
}

/** The built CLI; synth fails early (not deploy, half-way) when it is missing. */
export function handlerScript(root: string = packageRoot()): string {
  const script = join(root, 'dist', 'lib', 'cli', 'main.js');
  if (!existsSync(script)) throw new Error(`the zk-rollout handler ${script} does not exist: build ${PACKAGE_NAME} first (npm run build)`);
  return script;
}

/** POSIX shell single-quoting. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The words of a command line written by shellQuote (spaces between words, single quotes around the others). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ') { if (word !== null) words.push(word); word = null; continue; }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${JSON.stringify(line)}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) { word = (word ?? '') + line[++i]; continue; }
    word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** A literal for a Terraform string: `${` and `%{` would otherwise start an interpolation. */
export function terraformLiteral(text: string): string {
  return text.replace(/([$%])\{/g, (_, sigil: string) => `${sigil}${sigil}{`);
}

/** `to` relative to `fromDir`, with forward slashes, as written into a command. */
export function portablePath(fromDir: string, to: string): string {
  const rel = relative(fromDir, to);
  return rel.split(sep).join('/') || '.';
}

export interface HandlerCommandOptions {
  /** The CLI script, relative to the working directory (the app's directory). */
  readonly script: string;
  /** Local driver: where server directories live. Ignored when `hostsFromEnv` is set. */
  readonly baseDir: string;
  /** Read the host driver settings from HOSTS_ENV (the ssh driver). */
  readonly hostsFromEnv?: boolean;
  readonly superuser?: SuperuserProps;
  readonly timeouts?: RolloutTimeoutsProps;
  readonly deleteData?: boolean;
  readonly rollbackOnFailure?: boolean;
  /** The backup before the first removal: false to skip it, else where and how many (the CLI's defaults when absent). */
  readonly backup?: BackupBeforeRolloutProps | false;
  /** Where the handler appends its rollout events (JSON lines), relative to the app's directory. */
  readonly eventsFile?: string;
}

function command(words: readonly string[]): string {
  return terraformLiteral(words.map(shellQuote).join(' '));
}

/** What `zk-rollout apply` gets: the spec and the previous servers from the environment, timeouts only when set (else the CLI's defaults). */
export function applyArgs(o: HandlerCommandOptions): ApplyArgs {
  const t = o.timeouts ?? {};
  const s = o.superuser;
  return {
    desiredEnv: DESIRED_ENV,
    previousEnv: PREVIOUS_ENV,
    ...hostArgs(o),
    ...(s?.skipAcl ? { skipAcl: true } : { ...(s?.passwordFile ? { passwordFile: s.passwordFile } : {}), ...(s?.createPasswordFile ? { createPasswordFile: true } : {}) }),
    ...(t.syncSeconds !== undefined ? { syncSeconds: t.syncSeconds } : {}),
    ...(t.drainSeconds !== undefined ? { drainSeconds: t.drainSeconds } : {}),
    ...(t.quorumSeconds !== undefined ? { quorumSeconds: t.quorumSeconds } : {}),
    ...(t.bakeSeconds !== undefined ? { bakeSeconds: t.bakeSeconds } : {}),
    ...(o.rollbackOnFailure ? { rollbackOnFailure: true } : {}),
    ...(o.backup === false ? { skipBackup: true } : {
      ...(o.backup?.dir !== undefined ? { backupDir: o.backup.dir } : {}),
      ...(o.backup?.keep !== undefined ? { backupKeep: o.backup.keep } : {}),
    }),
    ...(o.eventsFile !== undefined ? { events: o.eventsFile } : {}),
  };
}

function hostArgs(o: HandlerCommandOptions): { hostsEnv: string } | { baseDir: string } {
  return o.hostsFromEnv ? { hostsEnv: HOSTS_ENV } : { baseDir: o.baseDir };
}

export function applyCommand(o: HandlerCommandOptions): string {
  return command(['node', o.script, 'apply', ...toArgv(APPLY_FLAGS, applyArgs(o))]);
}

export type TeardownCommandOptions = HandlerCommandOptions & { readonly ensemble: string; readonly withSpec?: boolean };

/** What `zk-rollout teardown` gets: the spec only when it declares adopted servers (`withSpec`). */
export function teardownArgs(o: TeardownCommandOptions): TeardownArgs {
  return { ensemble: o.ensemble, ...hostArgs(o), ...(o.withSpec ? { desiredEnv: DESIRED_ENV } : {}), ...(o.deleteData ? { deleteData: true } : {}) };
}

/** Stops every server of the ensemble the host driver knows; data is deleted only on request. */
export function teardownCommand(o: TeardownCommandOptions): string {
  return command(['node', o.script, 'teardown', ...toArgv(TEARDOWN_FLAGS, teardownArgs(o))]);
}
