import type { Runner } from './runner.js';
import { trainRunner } from './train-runner.js';

/** The runners a spec can name. */
export const RUNNERS: readonly Runner[] = [trainRunner];
