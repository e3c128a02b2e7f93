import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { BasinError } from '../core/errors.js';
import { commandRegistrations } from './commands/index.js';

/**
 * The `basin` command. Each subcommand is registered by its own module and is a thin call into the library.
 * Errors that basin raises on purpose are printed as one line; anything else too, unless `--debug` asks for the
 * stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('basin')
    .description('Measure and certify the training loss landscape of multilayer neural networks')
    .version(packageVersion())
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program.showHelpAfterError('(run basin --help for usage)');
  for (const register of commandRegistrations) register(program);

  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    const debug = argv.includes('--debug');
    if (debug && error instanceof Error) {
      process.stderr.write(`${error.stack ?? error.message}\n`);
    } else {
      const message = error instanceof BasinError || error instanceof Error ? error.message : String(error);
      process.stderr.write(`basin: ${message}\n`);
    }
    return 1;
  }
}

function packageVersion(): string {
  // Walk up from this module: it runs both from src/ (under tsx) and from dist/src/ (built).
  let directory = new URL('.', import.meta.url);
  for (let depth = 0; depth < 5; depth++) {
    const candidate = new URL('package.json', directory);
    if (existsSync(candidate)) {
      return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
    }
    directory = new URL('..', directory);
  }
  return 'unknown';
}
