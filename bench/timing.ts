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

/** Wall-clock milliseconds of each timed run of `step`. */
export function timeRepeatedly(step: () => unknown, plan: RepetitionPlan): number[] {
  for (let i = 0; i < plan.warmup; i++) step();
  const times: number[] = [];
  const started = performance.now();
  for (;;) {
    const elapsed = (performance.now() - started) / 1000;
    const wanted = times.length < plan.repetitions || elapsed < plan.minSeconds;
    const allowed = times.length < plan.maxRepetitions && (times.length === 0 || elapsed < plan.maxSeconds);
    if (!wanted || !allowed) break;
    const t0 = performance.now();
    step();
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
