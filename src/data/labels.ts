import type { FloatArray } from '../core/dtype.js';
import { InvalidArgumentError } from '../core/errors.js';

/**
 * Binary label encodings and the matching decision rule.
 * - `pm1`: labels ±1, predicted class sign(output) (threshold 0; the Soudry–Hoffer code).
 * - `01`: labels {0, 1}, predicted class output > 0.5 (threshold 0.5; the Soudry–Hoffer theory).
 */
export type LabelEncoding = 'pm1' | '01';

export const LABEL_ENCODINGS: readonly LabelEncoding[] = ['pm1', '01'];

export function threshold(encoding: LabelEncoding): number {
  return encoding === 'pm1' ? 0 : 0.5;
}

/** Maps a boolean class (true = positive) to its encoded label. */
export function encodeLabel(positive: boolean, encoding: LabelEncoding): number {
  if (encoding === 'pm1') return positive ? 1 : -1;
  return positive ? 1 : 0;
}

export function parseLabelEncoding(text: string, argument = 'labels'): LabelEncoding {
  if (text === 'pm1' || text === '01') return text;
  throw new InvalidArgumentError(argument, 'pm1 (±1, threshold 0) or 01 ({0,1}, threshold 0.5)', text);
}

/**
 * Misclassification error: the fraction of samples whose output falls on the wrong side of the encoding's
 * threshold. An output exactly on the threshold counts as an error (no class is predicted).
 */
export function misclassificationError(
  output: ArrayLike<number>,
  labels: ArrayLike<number>,
  encoding: LabelEncoding,
): number {
  if (output.length !== labels.length) {
    throw new InvalidArgumentError('output', `${labels.length} values (one per label)`, output.length);
  }
  const t = threshold(encoding);
  let wrong = 0;
  for (let n = 0; n < output.length; n++) if (!decidedCorrect(output[n], labels[n], t)) wrong++;
  return wrong / output.length;
}

/**
 * The decision behind `misclassificationError`, for one sample at threshold t: correct iff the output lies strictly
 * on the label's side. Every count of classification errors uses it (src/backend/classification.ts).
 */
export function decidedCorrect(output: number, label: number, t: number): boolean {
  return label > t ? output > t : output < t;
}

/** Re-encodes ±1 labels as {0,1} or back, in place of a copy. */
export function reencode(labels: FloatArray, from: LabelEncoding, to: LabelEncoding): FloatArray {
  const out = labels.slice();
  const t = threshold(from);
  for (let n = 0; n < out.length; n++) out[n] = encodeLabel(labels[n] > t, to);
  return out;
}
