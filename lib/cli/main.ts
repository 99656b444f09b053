#!/usr/bin/env node
/** zk-rollout: plan (and, with the runtime, carry out) ZooKeeper membership changes. */
import { Command } from 'commander';
import { EXIT, runPlanCommand } from './plan-command';
import { InputError } from './inputs';
import { rerunInFreshProcess } from './fresh-process';
import { runApply, runStatus, runTeardown, runVerify } from './runtime-commands';

export function buildProgram(out: (s: string) => void = (s) => process.stdout.write(s)): Command {
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
    .option('--bake-time <seconds>', 'the hold between growth and the first removal, as apply will run it (0: none)', '10')
    .action(async (opts) => {
      process.exitCode = await runPlanCommand(opts, out);
    });
  const local = (cmd: Command) => cmd
    .option('-d, --desired <spec>', 'desired ensemble spec (JSON file)')
    .option('--desired-env <variable>', 'read the desired spec (JSON) from this environment variable instead (what cdktf deploy passes)')
    .option('--base-dir <dir>', 'local host driver: where server directories live', '.zk-local')
    .option('--hosts <file>', 'host driver settings (JSON): {"driver":"ssh", ...} for remote machines; default local under --base-dir')
    .option('--hosts-env <variable>', 'read the host driver settings (JSON) from this environment variable instead');
  local(program.command('apply').description('carry out the rollout against the live servers, step by step, until they match the spec'))
    .option('--skip-acl', 'let reconfig run without authentication (explicit opt-in; default is the superuser digest)')
    .option('--password-file <file>', 'file holding the ZooKeeper superuser password (else ZK_ROLLOUT_SUPER_PASSWORD)')
    .option('--create-password-file', 'create --password-file with a random password if it is missing and the ensemble was never started')
    .option('--sync-timeout <seconds>', 'how long a server may take to sync', '120')
    .option('--drain-timeout <seconds>', 'how long to wait for clients to leave a server before removing it', '5')
    .option('--quorum-timeout <seconds>', 'how long to wait for a leader', '60')
    .option('--bake-time <seconds>', 'after new servers are added and synced, hold this long checking health before any server is removed (0: no hold)', '10')
    .option('--accept-drift', 'plan from the live ensemble even when its configuration moved since zk-rollout last changed it (else apply stops before acting); also ZK_ROLLOUT_ACCEPT_DRIFT=1')
    .option('--rollback-on-failure', 'when the rollout fails, return the ensemble to the membership it started from, then report both')
    .option('--previous <spec>', 'the previous deploy\'s spec (JSON file): its servers are looked at for the running ensemble too')
    .option('--previous-env <variable>', 'read the previous deploy\'s spec (JSON) from this environment variable (what cdktf deploy passes; unset or empty: none)')
    .action(async (opts) => { process.exitCode = await runApply(opts, out); });
  local(program.command('status').description('a table of the live members: role, mode, zxid, how far behind the leader, peer state, config version, synced, clients'))
    .option('--check', 'exit 1 when any member is down, out of broadcast, or further behind the leader than --max-lag (for cron and monitoring)')
    .option('--max-lag <transactions>', 'with --check: how many transactions a member may be behind the leader', '1000')
    .action(async (opts) => { process.exitCode = await runStatus(opts, out); });
  local(program.command('verify').description('write a canary, then read it back from every member after sync'))
    .action(async (opts) => { process.exitCode = await runVerify(opts, out); });
  program.command('teardown')
    .description('stop every server of an ensemble (what cdktf destroy runs); data is kept unless --delete-data')
    .requiredOption('--ensemble <name>', 'ensemble name')
    .option('--base-dir <dir>', 'local host driver: where server directories live', '.zk-local')
    .option('--hosts <file>', 'host driver settings (JSON); default local under --base-dir')
    .option('--hosts-env <variable>', 'read the host driver settings (JSON) from this environment variable instead')
    .option('--delete-data', 'delete the servers\' directories after stopping them (never an adopted server\'s)')
    .option('--desired <spec>', 'the ensemble spec (JSON file): its existing (adopted) servers are stopped too')
    .option('--desired-env <variable>', 'read that spec (JSON) from this environment variable instead')
    .action(async (opts) => { process.exitCode = await runTeardown(opts, out); });
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
