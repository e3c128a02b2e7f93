import type { Command } from 'commander';
import { register as registerTrain } from './train.js';
import { register as registerReproduce } from './reproduce.js';
import { register as registerServe } from './serve.js';
import { register as registerSweep } from './sweep.js';
import { register as registerResults } from './results.js';
import { register as registerReport } from './report.js';
import { register as registerData } from './data.js';
import { register as registerCertify } from './certify.js';
import { register as registerSearch } from './search.js';
import { register as registerWorker } from './worker.js';

/**
 * Every subcommand lives in its own module under src/cli/commands/ and exports `register(program)`. Add one line
 * here per module; main.ts registers them in this order.
 */
export const commandRegistrations: readonly ((program: Command) => void)[] = [
  registerTrain,
  registerReproduce,
  registerServe,
  registerSweep,
  registerResults,
  registerReport,
  registerData,
  registerCertify,
  registerSearch,
  registerWorker,
];
