/**
 * How often to run a step: `warmup` untimed runs, then timed runs until there are at least `repetitions` of them
 * and `minSeconds` have passed, but never more than `maxRepetitions` runs nor (after the first) `maxSeconds`. The
 * time cap keeps slow engines (plain TypeScript on case (a) takes seconds per step) from dominating the run.
 */
export interface RepetitionPlan {
  readonly warmup: number;
  readonly repetitions: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly maxRepetitions: number;
}

/** Whether the plan wants another timed run after `done` runs that began `started` (performance.now()). */
function anotherRun(plan: RepetitionPlan, done: number, started: number): boolean {
  const elapsed = (performance.now() - started) / 1000;
  const wanted = done < plan.repetitions || elapsed < plan.minSeconds;
  const allowed = done < plan.maxRepetitions && (done === 0 || elapsed < plan.maxSeconds);
  return wanted && allowed;
}

/** Wall-clock milliseconds of each timed run of `step`. */
export function timeRepeatedly(step: () => unknown, plan: RepetitionPlan): number[] {
  for (let i = 0; i < plan.warmup; i++) step();
  const times: number[] = [];
  const started = performance.now();
  while (anotherRun(plan, times.length, started)) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  return times;
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * `timeRepeatedly` for steps that may be asynchronous: a run that returns a promise is timed until the promise
 * settles (a rejection ends the measurement with its error). A run that returns anything else is not awaited, so a
 * synchronous step's loop has no await and no microtask turn in it: the same timings as `timeRepeatedly`.
 */
export async function timeRepeatedlyAsync(step: () => unknown, plan: RepetitionPlan): Promise<number[]> {
  for (let i = 0; i < plan.warmup; i++) {
    const result = step();
    if (isPromiseLike(result)) await result;
  }
  const times: number[] = [];
  const started = performance.now();
  while (anotherRun(plan, times.length, started)) {
    const t0 = performance.now();
    const result = step();
    if (isPromiseLike(result)) await result;
    times.push(performance.now() - t0);
  }
  return times;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values: no repetition ran');
  const sorted = [...values].sort((p, q) => p - q);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
