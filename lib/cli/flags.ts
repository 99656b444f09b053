/** The CLI's flags from the tables in model/handler-args: registered on a command, and read back typed. */
import { Command, Option } from 'commander';
import { APPLY_FLAGS, ApplyCommandArgs, FlagSpec, FlagTable, FlagValueError, fromFlagValues } from '../model/handler-args';
import { InputError } from './inputs';

/**
 * Registers every flag of `table` on `cmd` (names, placeholders, help and defaults all from the table)
 * and returns the reader that turns the parsed options back into the table's typed arguments.
 */
export function addFlags<T extends object>(cmd: Command, table: FlagTable<T>): (opts: Record<string, unknown>) => T {
  const attribute = new Map<string, string>();
  for (const [field, spec] of Object.entries(table) as [string, FlagSpec][]) {
    const option = new Option(`${spec.short ? `${spec.short}, ` : ''}${spec.flag}${spec.kind === 'boolean' ? '' : ` ${spec.value ?? '<value>'}`}`, spec.description);
    if (spec.default !== undefined) option.default(spec.default);
    if (spec.required) option.makeOptionMandatory();
    cmd.addOption(option);
    attribute.set(field, option.attributeName());
  }
  return (opts) => {
    try {
      return fromFlagValues(table, (field) => opts[attribute.get(field)!]);
    } catch (e) {
      throw e instanceof FlagValueError ? new InputError(e.message) : e;
    }
  };
}

/** The arguments of an apply command line (after `apply`), as apply itself would read them. */
export function parseApplyArgv(argv: readonly string[], where: string): ApplyCommandArgs {
  const cmd = new Command('apply').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  const read = addFlags(cmd, APPLY_FLAGS);
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (e) {
    throw new InputError(`${where}: its apply command does not parse: ${(e as Error).message}`);
  }
  return read(cmd.opts());
}
