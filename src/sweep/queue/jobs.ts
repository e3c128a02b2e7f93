import { createHash } from 'node:crypto';
import * as z from 'zod';
import { nonNegativeInteger, seed32 } from '../../io/schema-primitives.js';
import { LOCKSTEP_MAX_RUNS } from '../../run/together.js';
import type { RunGroup } from '../executor.js';
import { RUNNERS } from '../runners.js';
import type { RunOutcome } from '../store/result-store.js';

/*
 * What travels through the queue. A job is one group of runs (one run, or repetitions of a cell trained in
 * lock-step) as validated JSON: the runner by name (each worker resolves it to its own installed module, never a path
 * of the submitting machine), the cell's settings, seeds and the code version that planned it. Nothing in a job is
 * code or a file's contents, and a worker checks every job against `queueJobSchema` before it runs anything.
 */

/** The BullMQ queue every basin sweep shares; jobs carry their sweep's name. */
export const QUEUE_NAME = 'basin-sweeps';

const MAX_CONFIG_BYTES = 64 * 1024;

export const queueJobSchema = z.strictObject({
  sweep: z.string().min(1).max(200),
  codeVersion: z.string().min(1).max(200),
  runner: z.string().min(1).max(100),
  group: z
    .array(
      z.strictObject({
        cellHash: z.string().regex(/^[0-9a-f]{8,64}$/, { error: 'a hexadecimal cell hash' }),
        repetition: nonNegativeInteger,
        seed: seed32,
        config: z
          .record(z.string(), z.unknown())
          .refine((config) => JSON.stringify(config).length <= MAX_CONFIG_BYTES, {
            error: `a cell config of at most ${MAX_CONFIG_BYTES} bytes of JSON`,
          }),
        keepWeights: z.boolean(),
      }),
    )
    .min(1)
    .max(LOCKSTEP_MAX_RUNS),
});

export type QueueJob = z.infer<typeof queueJobSchema>;

/** The runner name of a task's module, which every worker resolves to its own copy (`RUNNERS`). */
export function runnerNameOf(moduleUrl: string): string {
  const runner = RUNNERS.find((known) => known.moduleUrl === moduleUrl);
  if (runner === undefined) {
    throw new Error(
      `runner module ${moduleUrl} is not one of basin's runners (${RUNNERS.map((r) => r.name).join(', ')}); ` +
        'a queue carries runners by name, so only built-in runners can run on other machines',
    );
  }
  return runner.name;
}

export function jobOf(sweep: string, codeVersion: string, group: RunGroup): QueueJob {
  return {
    sweep,
    codeVersion,
    runner: runnerNameOf(group[0].runnerModule),
    group: group.map(({ cellHash, repetition, seed, config, keepWeights }) => ({
      cellHash,
      repetition,
      seed,
      config: { ...config },
      keepWeights,
    })),
  };
}

/**
 * The job id of a group: derived from the sweep and its runs, so submitting the same runs again adds nothing (BullMQ
 * ignores an id it holds). Ids have no ':' (BullMQ's key separator).
 */
export function jobIdOf(sweep: string, group: RunGroup): string {
  const repetitions = group.map((task) => task.repetition).join('_');
  return `${sweepKeyOf(sweep)}.${group[0].cellHash}.${repetitions}`;
}

/** The prefix of a sweep's job ids. */
export function sweepKeyOf(sweep: string): string {
  return createHash('sha256').update(sweep).digest('hex').slice(0, 16);
}

/**
 * Outcomes as text that restores them bit for bit: JSON, with typed arrays as base64 of their bytes and the numbers
 * JSON cannot hold (NaN, ±Infinity, −0) spelled out, so that a queued run stores exactly what a local one does.
 */
export function encodeOutcomes(outcomes: readonly RunOutcome[]): string {
  return JSON.stringify(outcomes, (_key, value: unknown) => {
    if (value instanceof Float64Array)
      return { $f64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) {
      return { $number: Object.is(value, -0) ? '-0' : String(value) };
    }
    return value;
  });
}

export function decodeOutcomes(text: string): RunOutcome[] {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object') {
      const record = value as { $f64?: string; $number?: string };
      if (typeof record.$f64 === 'string') {
        const bytes = Buffer.from(record.$f64, 'base64');
        return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      }
      if (typeof record.$number === 'string') return record.$number === '-0' ? -0 : Number(record.$number);
    }
    return value;
  }) as RunOutcome[];
}
