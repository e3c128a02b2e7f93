import type { Command } from 'commander';

/**
 * Every subcommand lives in its own module under src/cli/commands/ and exports `register(program)`. Add one entry
 * here per module; main.ts registers them in this order. Modules are imported on demand: `basin train` loads the
 * train module only, not DuckDB, vega and BullMQ behind sweep, report and worker (about 1 s of start-up on 2 cores,
 * measured with `time node bin/basin.js train --help` before and after), while help and unknown commands load all.
 */
export const COMMAND_MODULES: Readonly<
  Record<string, () => Promise<{ readonly register: (program: Command) => void }>>
> = {
  train: () => import('./train.js'),
  reproduce: () => import('./reproduce.js'),
  serve: () => import('./serve.js'),
  sweep: () => import('./sweep.js'),
  results: () => import('./results.js'),
  report: () => import('./report.js'),
  data: () => import('./data.js'),
  certify: () => import('./certify.js'),
  search: () => import('./search.js'),
  worker: () => import('./worker.js'),
  landscape: () => import('./landscape.js'),
};

/** Registers the command `name` names, or every command when it names none (help, an unknown command). */
export async function registerCommands(program: Command, name: string | undefined): Promise<void> {
  const only = name === undefined ? undefined : Object.hasOwn(COMMAND_MODULES, name) ? name : undefined;
  const names = only === undefined ? Object.keys(COMMAND_MODULES) : [only];
  const modules = await Promise.all(names.map((command) => COMMAND_MODULES[command]()));
  for (const module of modules) module.register(program);
}
