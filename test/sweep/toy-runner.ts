import * as z from 'zod';
import { Rng } from '../../src/core/rng.js';
import { EMPTY_MEASUREMENTS, type RunResult } from '../../src/sweep/run-result.js';
import { type Runner, siblingModule } from '../../src/sweep/runner.js';

/**
 * A small run function for the sweep tests: deterministic in (config, seed), optionally slow (busy-waits so a test can
 * kill a sweep mid-way) and optionally failing for some seeds.
 */
const configSchema = z.strictObject({
  a: z.number({ error: 'a finite number' }),
  b: z.number().int({ error: 'an integer' }).min(1, { error: 'an integer ≥ 1' }).default(1),
  busyMs: z.number().min(0).default(0),
  failWhenSeedDivisibleBy: z.number().int().min(1).optional(),
});

export const toyRunner: Runner = {
  name: 'toy',
  configSchema,
  moduleUrl: siblingModule(import.meta.url, 'toy-runner'),
};

export function run(config: unknown, seed: number): RunResult {
  const c = configSchema.parse(config);
  const end = performance.now() + c.busyMs;
  while (performance.now() < end) {
    // Busy-wait on purpose: the work of a run, without depending on timers.
  }
  if (c.failWhenSeedDivisibleBy !== undefined && seed % c.failWhenSeedDivisibleBy === 0) {
    throw new Error(`seed ${seed} fails on purpose`);
  }
  const rng = new Rng(seed);
  const loss = c.a * rng.uniform() + c.b;
  return {
    ...EMPTY_MEASUREMENTS,
    finalLoss: loss,
    mse: loss / 2,
    mce: rng.uniform() < 0.5 ? 0 : 0.25,
    iterations: c.b,
    extra: { seed },
  };
}
