import { DATA_SOURCES } from './index.js';
import { fileSource } from './file.js';
import type { DataSource } from './source.js';

/** Every data source on Node: those of any environment, and files on disk (file.ts). */
export const NODE_DATA_SOURCES: readonly DataSource[] = [...DATA_SOURCES, fileSource];
