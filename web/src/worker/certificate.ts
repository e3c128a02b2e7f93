import { symmetricEigen } from '../../../src/core/linalg/symmetric-eigen.js';
import { misclassificationError } from '../../../src/data/labels.js';
import { forward } from '../../../src/model/forward.js';
import { lossAndGradient } from '../../../src/model/gradient.js';
import { denseHessian } from '../../../src/model/hessian.js';
import { kinkMargin } from '../../../src/model/kinks.js';
import type { Problem } from './problem.js';

/** Above this many parameters the dense Hessian (P² memory, O(P³) eigenvalues) is too slow for the browser. */
export const DENSE_SPECTRUM_LIMIT = 800;

/** What the explorer shows about the current point. */
export interface PointReport {
  readonly loss: number;
  readonly gradientNorm: number;
  readonly mce: number | undefined;
  readonly kinkMargin: number;
  readonly nearKinkCount: number;
  readonly parameterCount: number;
  /** All Hessian eigenvalues, ascending; undefined above DENSE_SPECTRUM_LIMIT (see `spectrumSkipped`). */
  readonly eigenvalues: Float64Array | undefined;
  readonly spectrumSkipped: string | undefined;
}

/** Loss, gradient norm, kink margin and the exact Hessian spectrum at θ, all in float64. */
export function measurePoint(problem: Problem, theta: Float64Array): PointReport {
  const { architecture, loss, samples } = problem;
  const { loss: value, gradient } = lossAndGradient(architecture, loss, theta, samples);
  let norm2 = 0;
  for (const g of gradient) norm2 += g * g;
  const cache = forward(architecture, theta, samples);
  const margin = kinkMargin(cache);
  const mce =
    problem.labelEncoding === undefined
      ? undefined
      : misclassificationError(cache.output, samples.y, problem.labelEncoding);
  const size = theta.length;
  let eigenvalues: Float64Array | undefined;
  let spectrumSkipped: string | undefined;
  if (size <= DENSE_SPECTRUM_LIMIT) {
    eigenvalues = symmetricEigen(denseHessian(architecture, loss, theta, samples), size).values;
  } else {
    spectrumSkipped = `P = ${size} parameters is above the browser's dense-spectrum limit of ${DENSE_SPECTRUM_LIMIT}; use basin certify`;
  }
  return {
    loss: value,
    gradientNorm: Math.sqrt(norm2),
    mce,
    kinkMargin: margin.minAbsPreActivation,
    nearKinkCount: margin.nearKinkCount,
    parameterCount: size,
    eigenvalues,
    spectrumSkipped,
  };
}
