import type { BackendChoiceRecord } from '../backend/select.js';
import type { TrainResultRecord } from '../io/result-file.js';
import { formatRate } from '../report/format.js';

/** The human-readable lines `basin train` prints after a run on a terminal. */
export function formatTrainSummary(
  record: TrainResultRecord,
  files: { result: string; weights?: string },
): string {
  const r = record.result;
  const widths = [
    record.architecture.inputDim,
    ...record.architecture.hidden.map((h) => h.width),
    record.architecture.outputDim,
  ];
  const activation = record.architecture.hidden[0]?.activation ?? 'linear';
  const lines = [
    `network ${widths.join('-')} ${activation}${record.architecture.hidden.some((h) => h.bias) || record.architecture.outputBias ? '' : ' (no biases)'}, ${record.parameterCount} parameters, N = ${record.data.sampleCount}`,
    `final MSE ${fmt(r.finalMse)}${r.finalMce === null ? '' : `, MCE ${formatRate(Math.round(r.finalMce * record.data.sampleCount), record.data.sampleCount)}`}, ‖∇L‖ ${fmt(r.gradientNorm)}${r.minAbsPreActivation === null ? '' : `, min|pre-activation| ${fmt(r.minAbsPreActivation)} (${r.nearKinkCount} within ${r.kinkTolerance} of a kink)`}`,
    `${r.epochs} epochs, stopped by ${r.stopReason}, ${r.wallSeconds.toFixed(2)} s, seed ${record.seed}${record.backend === undefined ? '' : `, backend ${describeBackend(record.backend)}`}`,
    `result: ${files.result}`,
    ...(files.weights ? [`weights: ${files.weights}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** `onnx (onnxruntime 1.30.0; auto: 40960 multiply-adds per evaluation ≥ 10000)`, `reference (requested)`. */
export function describeBackend(choice: BackendChoiceRecord): string {
  const runtime = choice.runtimeVersion === undefined ? '' : `onnxruntime ${choice.runtimeVersion}; `;
  const adapter = choice.adapter === undefined ? '' : `${choice.adapter}; `;
  return `${choice.backend} (${runtime}${adapter}${choice.reason})`;
}

export function fmt(value: number): string {
  return value === 0 ? '0' : value.toExponential(2);
}
