/**
 * The construct and the CLI agree on the handler's arguments: what the construct writes, the real
 * commander program parses back to the same typed arguments, for every field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../lib/cli/main';
import { InputError } from '../../lib/cli/inputs';
import { applyArgs, applyCommand, HandlerCommandOptions, teardownArgs, teardownCommand } from '../../lib/constructs/handler-command';
import { DEFAULT_BACKUP_DIR, DEFAULT_BAKE_MS, DEFAULT_LOCAL_BASE_DIR, DEFAULT_TIMEOUTS } from '../../lib/model/defaults';
import { DEFAULT_BACKUP_KEEP } from '../../lib/model/backup';
import { APPLY_FLAGS, ApplyCommandArgs, TEARDOWN_FLAGS, TeardownArgs, toArgv } from '../../lib/model/handler-args';

/** What the CLI hands its apply and teardown actions for these words (after `zk-rollout`). */
async function parse(words: readonly string[]): Promise<{ apply?: ApplyCommandArgs; teardown?: TeardownArgs }> {
  const seen: { apply?: ApplyCommandArgs; teardown?: TeardownArgs } = {};
  const program = buildProgram(() => undefined, {
    apply: async (a) => { seen.apply = a; return 0; },
    teardown: async (a) => { seen.teardown = a; return 0; },
  });
  for (const c of [program, ...program.commands]) c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync([...words], { from: 'user' });
  process.exitCode = undefined;
  return seen;
}

/** The construct's command line as words (the test's values need no shell quoting). */
const words = (command: string, verb: string) => command.split(' ').slice(command.split(' ').indexOf(verb));

const SCRIPT = 'dist/lib/cli/main.js';

describe('apply', () => {
  test('every field, written by toArgv, parses back to itself', async () => {
    const every: Required<ApplyCommandArgs> = {
      desired: 'spec.json', desiredEnv: 'D', previous: 'prev.json', previousEnv: 'P', hosts: 'hosts.json', hostsEnv: 'H', baseDir: 'zk-dir',
      skipAcl: true, passwordFile: 'pw.txt', createPasswordFile: true,
      syncSeconds: 7, drainSeconds: 0.5, quorumSeconds: 9, bakeSeconds: 0,
      rollbackOnFailure: true, acceptDrift: true, backupDir: 'backups', backupKeep: 3, skipBackup: true, events: '-', reviewedPlan: 'pins.json', replan: true,
    };
    expect((await parse(['apply', ...toArgv(APPLY_FLAGS, every)])).apply).toEqual(every);
  });

  test.each<[string, Partial<HandlerCommandOptions>]>([
    ['local, password file', { superuser: { passwordFile: 'pw.txt', createPasswordFile: true }, timeouts: { syncSeconds: 30, drainSeconds: 2, quorumSeconds: 45, bakeSeconds: 0 }, rollbackOnFailure: true }],
    ['ssh, skip-acl, no backup', { hostsFromEnv: true, superuser: { skipAcl: true }, timeouts: { syncSeconds: 1.5, drainSeconds: 1, quorumSeconds: 2, bakeSeconds: 3 }, backup: false }],
    ['backups elsewhere', { backup: { dir: '/var/backups/zk', keep: 2 }, timeouts: { syncSeconds: 30, drainSeconds: 2, quorumSeconds: 45, bakeSeconds: 0 } }],
  ])('the construct\'s command (%s) parses back to the arguments it was written from', async (_, more) => {
    const o: HandlerCommandOptions = { script: SCRIPT, baseDir: 'zk-dir', ...more };
    const written = applyArgs(o);
    expect(words(applyCommand(o), 'apply')).toEqual(['apply', ...toArgv(APPLY_FLAGS, written)]);
    // The ssh driver's command names no base directory: the CLI's default stands (and is unused).
    expect((await parse(words(applyCommand(o), 'apply'))).apply).toEqual({ baseDir: DEFAULT_LOCAL_BASE_DIR, backupDir: DEFAULT_BACKUP_DIR, backupKeep: DEFAULT_BACKUP_KEEP, ...written });
  });

  test('without timeouts in the props, the handler runs with DEFAULT_TIMEOUTS and DEFAULT_BAKE_MS', async () => {
    const args = (await parse(words(applyCommand({ script: SCRIPT, baseDir: DEFAULT_LOCAL_BASE_DIR }), 'apply'))).apply!;
    expect(args.syncSeconds! * 1000).toBe(DEFAULT_TIMEOUTS.syncMs);
    expect(args.drainSeconds! * 1000).toBe(DEFAULT_TIMEOUTS.drainMs);
    expect(args.quorumSeconds! * 1000).toBe(DEFAULT_TIMEOUTS.quorumMs);
    expect(args.bakeSeconds! * 1000).toBe(DEFAULT_BAKE_MS);
  });

  test('a number out of range is bad input, named by its flag', async () => {
    await expect(parse(['apply', '--sync-timeout', '0'])).rejects.toThrow(new InputError('--sync-timeout 0: must be a positive number of seconds (decimal, to the millisecond, at most 86400)'));
    await expect(parse(['apply', '--bake-time', '-1'])).rejects.toThrow(new InputError('--bake-time -1: must be a number of seconds, 0 or more (decimal, to the millisecond, at most 86400)'));
    await expect(parse(['apply', '--drain-timeout', 'soon'])).rejects.toBeInstanceOf(InputError);
  });
});

describe('teardown', () => {
  test('every field, written by toArgv, parses back to itself', async () => {
    const every: Required<TeardownArgs> = { ensemble: 'orders', baseDir: 'zk-dir', hosts: 'hosts.json', hostsEnv: 'H', desired: 'spec.json', desiredEnv: 'D', deleteData: true };
    expect((await parse(['teardown', ...toArgv(TEARDOWN_FLAGS, every)])).teardown).toEqual(every);
  });

  test.each([[{ withSpec: true, deleteData: true }], [{ hostsFromEnv: true }]])('the construct\'s command (%j) parses back to the arguments it was written from', async (more) => {
    const o = { script: SCRIPT, baseDir: 'zk-dir', ensemble: 'orders', ...more };
    const written = teardownArgs(o);
    expect(words(teardownCommand(o), 'teardown')).toEqual(['teardown', ...toArgv(TEARDOWN_FLAGS, written)]);
    expect((await parse(words(teardownCommand(o), 'teardown'))).teardown).toEqual({ baseDir: DEFAULT_LOCAL_BASE_DIR, ...written });
  });
});

test('the flag names stay the ones the README, the docs and deployed stacks use', () => {
  const flags = (table: object) => Object.values(table).map((s: { flag: string }) => s.flag);
  expect(flags(APPLY_FLAGS).sort()).toEqual([
    '--accept-drift', '--backup-dir', '--backup-keep', '--bake-time', '--base-dir', '--create-password-file', '--desired', '--desired-env', '--drain-timeout', '--events',
    '--hosts', '--hosts-env', '--password-file', '--previous', '--previous-env', '--quorum-timeout', '--replan', '--reviewed-plan', '--rollback-on-failure', '--skip-acl', '--skip-backup', '--sync-timeout',
  ]);
  expect(flags(TEARDOWN_FLAGS).sort()).toEqual(['--base-dir', '--delete-data', '--desired', '--desired-env', '--ensemble', '--hosts', '--hosts-env']);
});

test('the defaults documented on RolloutTimeoutsProps are those of lib/model/defaults', () => {
  const props = readFileSync(join(__dirname, '..', '..', 'lib', 'constructs', 'props.ts'), 'utf8');
  const documented = (field: string) => Number(new RegExp(`@default (\\d+)\\s*\\*/\\s*readonly ${field}\\?`).exec(props)?.[1]);
  expect(documented('syncSeconds') * 1000).toBe(DEFAULT_TIMEOUTS.syncMs);
  expect(documented('drainSeconds') * 1000).toBe(DEFAULT_TIMEOUTS.drainMs);
  expect(documented('quorumSeconds') * 1000).toBe(DEFAULT_TIMEOUTS.quorumMs);
  expect(documented('bakeSeconds') * 1000).toBe(DEFAULT_BAKE_MS);
});
