import { DATA_SOURCES, providedSource } from './index.js';
import { fileSource } from './file.js';
import type { DataSource } from './source.js';

/** Every data source on Node: those of any environment, and files on disk (file.ts). */
export const NODE_DATA_SOURCES: readonly DataSource[] = DATA_SOURCES.flatMap((source) =>
  // Listed after `inline`, where `basin train --help` has always shown it.
  source.name === 'inline' ? [source, fileSource] : [source],
);

/** The sources a user can name on the command line: all but `provided`, which only a library caller can fill. */
export const LOADING_DATA_SOURCES: readonly DataSource[] = NODE_DATA_SOURCES.filter(
  (source) => source !== providedSource,
);
