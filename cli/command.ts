// The shape of one `modelfile` subcommand: its argument spec and its run function (returns the exit code).
import type { CommandSpec, ParsedArgs } from './args';
import type { CliContext } from './context';

export interface CliCommand {
  spec: CommandSpec;
  run(args: ParsedArgs, context: CliContext): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
