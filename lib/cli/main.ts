#!/usr/bin/env node
/** zk-rollout: plan (and, with the runtime, carry out) ZooKeeper membership changes. */
import { Command } from 'commander';
import { EXIT, runPlanCommand } from './plan-command';
import { InputError } from './inputs';

export function buildProgram(out: (s: string) => void = (s) => process.stdout.write(s)): Command {
  const program = new Command('zk-rollout')
    .description('Plan and carry out safe ZooKeeper ensemble membership changes')
    .showHelpAfterError();
  program.command('plan')
    .description('print the ordered rollout plan from the current ensemble to the desired spec')
    .requiredOption('-d, --desired <spec>', 'desired ensemble spec (JSON file)')
    .option('-c, --current <file|host:port,...>', 'current state: a snapshot file, a spec file, or live servers; omit to plan a bootstrap')
    .option('-f, --format <format>', 'text, json or markdown', 'text')
    .option('--leader <id>', 'with a spec file as --current: the leader to assume (default: highest voter id)')
    .action(async (opts) => {
      process.exitCode = await runPlanCommand(opts, out);
    });
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (e) {
    process.stderr.write(`zk-rollout: ${(e as Error).message}\n`);
    process.exitCode = e instanceof InputError ? EXIT.badInput : EXIT.failure;
  }
}

if (require.main === module) void main(process.argv);
