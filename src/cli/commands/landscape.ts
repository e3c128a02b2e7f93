import type { Command } from 'commander';
import { registerGraph } from './landscape-graph.js';
import { registerPath } from './landscape-path.js';
import { registerVolume } from './landscape-volume.js';

/** `basin landscape <sub>`: what lies between and around minima; each subcommand lives in its own module. */
export function register(program: Command): void {
  const landscape = program
    .command('landscape')
    .description(
      'the loss landscape between and around minima: paths, saddles, disconnectivity graphs, region volumes',
    );
  registerPath(landscape);
  registerGraph(landscape);
  registerVolume(landscape);
}
