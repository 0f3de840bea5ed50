// What the `surrograd` command's subcommands share: the error for a mistake on the command line
// and the shape of a flag in a --help table.

/** A mistake in the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One flag of a subcommand, as its --help lists it. */
export interface Flag {
  name: string;
  /** Shown after the flag in --help (absent for switches). */
  value?: string;
  help: string;
}
