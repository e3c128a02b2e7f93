import { benchCase, type CaseId, stepFlops } from '../../bench/cases.js';
import type { ResultRow } from '../../bench/report.js';

/** A benchmark result row as bench/run.ts writes it, for the goal and ratio bookkeeping tests. */
export function benchRow(
  engine: string,
  caseId: CaseId,
  medianMs: number,
  extra: Partial<Pick<ResultRow, 'peakRssBytes' | 'device' | 'dtype'>> = {},
): ResultRow {
  const c = benchCase(caseId);
  return {
    caseId,
    dtype: extra.dtype ?? 'float32',
    engine,
    kind: engine.startsWith('basin') ? 'basin' : 'reference',
    threads: 2,
    medianMs,
    minMs: medianMs,
    repetitions: 1,
    timesMs: [medianMs],
    restarts: c.restarts,
    flops: stepFlops(c),
    loss: 1,
    peakRssBytes: extra.peakRssBytes ?? 0,
    ...(extra.device ? { device: extra.device } : {}),
    details: {},
  };
}
