import { Command, CommanderError } from 'commander';
import { BasinError } from '../core/errors.js';
import { registerCommands } from './commands/index.js';
import { packageVersion } from './package-version.js';

/**
 * The `basin` command. Each subcommand is registered by its own module and is a thin call into the library.
 * Errors that basin raises on purpose are printed as one line; anything else too, unless `--debug` asks for the
 * stack trace. Options are positional: `basin reproduce --quick` (the group's option) and
 * `basin reproduce fig5.1 --quick` (the preset's) mean different things, as they read.
 */
export async function main(argv: readonly string[]): Promise<number> {
  exitQuietlyWhenOutputCloses();
  const program = new Command('basin')
    .description('Measure and certify the training loss landscape of multilayer neural networks')
    .version(packageVersion())
    .option('--debug', 'print stack traces of errors')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program.showHelpAfterError('(run basin --help for usage)');

  // `--debug` may stand anywhere on the line; with positional options a subcommand would reject it as unknown.
  const debug = argv.slice(2).includes('--debug');
  const args = [...argv.slice(0, 2), ...argv.slice(2).filter((arg) => arg !== '--debug')];
  await registerCommands(program, args[2]);
  try {
    await program.parseAsync(args);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (debug && error instanceof Error) {
      process.stderr.write(`${error.stack ?? error.message}\n`);
    } else {
      const message =
        error instanceof BasinError || !(error instanceof Error)
          ? String(error instanceof Error ? error.message : error)
          : describeUnexpected(error);
      process.stderr.write(`basin: ${message}\n`);
    }
    return 1;
  }
}

/**
 * An error basin did not raise on purpose. Allocation failures are the one kind a user can act on, so they say so;
 * sizes are checked before allocation (src/core/limits.ts), so reaching this is a gap in those checks.
 */
function describeUnexpected(error: Error): string {
  if (/Invalid typed array length|Array buffer allocation failed|Invalid array length/.test(error.message)) {
    return `out of memory (${error.message}): a size basin did not check in advance; please report the command`;
  }
  return error.message;
}

/**
 * `basin … | head` closes stdout early; the next write then fails with EPIPE. That is the reader's choice, not an
 * error of ours, so end quietly the way Unix tools do instead of printing an unhandled-error trace.
 */
function exitQuietlyWhenOutputCloses(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
