import type { Command } from 'commander';
import { registerFig52 } from '../reproduce-fig5-2.js';
import { registerKhatriRao } from './reproduce-khatri-rao.js';
import { registerSweepPresets } from './sweep.js';
import { registerTable1 } from './reproduce-table1.js';

/**
 * Each reproduction registers itself as a subcommand of `basin reproduce`: export a
 * `registerXxx(reproduce: Command)` from your module that calls `reproduce.command('<name>')…`, and add it to
 * this list (one import, one entry).
 */
export const reproductions: readonly ((reproduce: Command) => void)[] = [
  registerFig52,
  registerKhatriRao,
  registerSweepPresets,
  registerTable1,
];

/** `basin reproduce <name>`: the paper experiments as presets. */
export function register(program: Command): void {
  const reproduce = program
    .command('reproduce')
    .description('reproduce a paper experiment (run `basin reproduce --help` for the list)');
  for (const add of reproductions) add(reproduce);
}
