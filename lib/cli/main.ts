#!/usr/bin/env node
/** zk-rollout: plan (and, with the runtime, carry out) ZooKeeper membership changes. */
import { Command } from 'commander';
import { DEFAULT_BACKUP_DIR, DEFAULT_BAKE_MS, DEFAULT_MAX_LAG, msToSeconds } from '../model/defaults';
import { APPLY_FLAGS, ApplyCommandArgs, SPEC_AND_HOST_FLAGS, TEARDOWN_FLAGS, TeardownArgs } from '../model/handler-args';
import { addFlags } from './flags';
import { EXIT, runPlanCommand } from './plan-command';
import { InputError } from './inputs';
import { rerunInFreshProcess } from './fresh-process';
import { runApply, runStatus, runTeardown, runVerify } from './runtime-commands';
import { runBackup, runRestore, runVerifyBackup } from './backup-commands';
import { DEFAULT_BACKUP_KEEP } from '../model/backup';

/** The commands' actions; a test replaces them to see what the CLI parsed. */
export interface Commands {
  readonly apply: (args: ApplyCommandArgs, out: (s: string) => void) => Promise<number>;
  readonly teardown: (args: TeardownArgs, out: (s: string) => void) => Promise<number>;
}

const RUN: Commands = { apply: runApply, teardown: runTeardown };

export function buildProgram(out: (s: string) => void = (s) => process.stdout.write(s), run: Commands = RUN): Command {
  const program = new Command('zk-rollout')
    .description('Plan and carry out safe ZooKeeper ensemble membership changes')
    .showHelpAfterError();
  program.command('plan')
    .description('print the ordered rollout plan from the current ensemble to the desired spec')
    .option('-d, --desired <spec>', 'desired ensemble spec (JSON file)')
    .option('-s, --stack <name>', 'plan every ensemble of this synthesized cdktf stack instead of --desired (run cdktf synth first)')
    .option('--outdir <dir>', 'with --stack: cdktf output directory', 'cdktf.out')
    .option('--state <file>', 'with --stack: the stack\'s Terraform state (default terraform.<stack>.tfstate)')
    .option('--from <source>', 'with --stack: where the current state comes from: auto (live, else state), live or state', 'auto')
    .option('-c, --current <file|host:port,...>', 'current state: a snapshot file, a spec file, or live servers; omit to plan a bootstrap')
    .option('-f, --format <format>', 'text, json or markdown', 'text')
    .option('--leader <id>', 'with a spec file as --current: the leader to assume (default: highest voter id)')
    // No commander default: --stack must tell a --bake-time given from none (it reads the stack's own).
    .option('--bake-time <seconds>', `the hold between growth and the first removal, as apply will run it (0: none; default ${msToSeconds(DEFAULT_BAKE_MS)})`)
    .option('--skip-backup', 'plan without the backup step apply takes before the first removal (as apply --skip-backup)')
    .option('--password-file <file>', 'with live servers as --current: the superuser password deploy uses, for the preflight\'s credentials check (else ZK_ROLLOUT_SUPER_PASSWORD)')
    .option('--skip-acl', 'with live servers as --current: deploy runs with --skip-acl (no credentials to check)')
    .option('--hosts <file>', 'with live servers as --current: host driver settings (JSON), for the preflight\'s disk check')
    .option('--base-dir <dir>', 'with live servers as --current: the local driver\'s base directory, for the preflight\'s disk check')
    .option('--pin <file>', 'write what each plan was computed from and what it does, for `apply --reviewed-plan <file>` (deploy refuses another plan)')
    .action(async (opts) => {
      process.exitCode = await runPlanCommand(opts, out);
    });
  const apply = program.command('apply').description('carry out the rollout against the live servers, step by step, until they match the spec');
  const applyArgs = addFlags(apply, APPLY_FLAGS);
  apply.action(async (opts) => { process.exitCode = await run.apply(applyArgs(opts), out); });
  const status = program.command('status').description('a table of the live members: role, mode, zxid, how far behind the leader, peer state, config version, synced, clients');
  const statusArgs = addFlags(status, SPEC_AND_HOST_FLAGS);
  status
    .option('--check', 'exit 1 when any member is down, out of broadcast, or further behind the leader than --max-lag (for cron and monitoring)')
    .option('--max-lag <transactions>', 'with --check: how many transactions a member may be behind the leader', String(DEFAULT_MAX_LAG))
    .action(async (opts) => { process.exitCode = await runStatus({ ...statusArgs(opts), check: opts.check, maxLag: opts.maxLag }, out); });
  const verify = program.command('verify').description('write a canary, then read it back from every member after sync');
  const verifyArgs = addFlags(verify, SPEC_AND_HOST_FLAGS);
  verify.action(async (opts) => { process.exitCode = await runVerify(verifyArgs(opts), out); });
  const teardown = program.command('teardown').description('stop every server of an ensemble (what cdktf destroy runs); data is kept unless --delete-data');
  const teardownArgs = addFlags(teardown, TEARDOWN_FLAGS);
  teardown.action(async (opts) => { process.exitCode = await run.teardown(teardownArgs(opts), out); });
  const backup = program.command('backup').description('copy the newest snapshot and the logs after it from a synced server, cut at one zxid, and check the copy loads as the ensemble reported');
  const backupArgs = addFlags(backup, SPEC_AND_HOST_FLAGS);
  backup
    .option('--backup-dir <dir>', 'where backups go, each in a directory of its own', DEFAULT_BACKUP_DIR)
    .option('--backup-keep <n>', 'how many backups of the ensemble to keep there', String(DEFAULT_BACKUP_KEEP))
    .action(async (opts) => { process.exitCode = await runBackup({ ...backupArgs(opts), backupDir: opts.backupDir, keep: opts.backupKeep }, out); });
  program.command('verify-backup').description('check a backup: every file against its manifest, then load it into a standalone server on loopback')
    .argument('<dir>', 'the backup\'s directory')
    .action(async (dir: string) => { process.exitCode = await runVerifyBackup(dir, out); });
  const restore = program.command('restore').description('start the ensemble of --desired as a new ensemble on a backup\'s data (its servers must be stopped and without data)');
  const restoreArgs = addFlags(restore, SPEC_AND_HOST_FLAGS);
  restore
    .requiredOption('--from <dir>', 'the backup to restore (checked first)')
    .option('--password-file <file>', 'file holding the ZooKeeper superuser password (else ZK_ROLLOUT_SUPER_PASSWORD)')
    .option('--skip-acl', 'let reconfig run without authentication')
    .option('--events <file|->', 'write structured rollout events as JSON lines to this file, or to stdout with -')
    .action(async (opts) => {
      process.exitCode = await runRestore({ ...restoreArgs(opts), from: opts.from, ...(opts.passwordFile ? { passwordFile: opts.passwordFile } : {}), skipAcl: opts.skipAcl === true, ...(opts.events ? { events: opts.events } : {}) }, out);
    });
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (e) {
    const rerun = await rerunInFreshProcess(argv, e);
    if (rerun !== null) { process.exit(rerun); }
    process.stderr.write(`zk-rollout: ${(e as Error).message}\n`);
    process.exitCode = e instanceof InputError ? EXIT.badInput : EXIT.failure;
  }
}

if (require.main === module) void main(process.argv);
