import { BasinError, InvalidArgumentError } from '../core/errors.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import { checkCompatible, forward } from '../model/forward.js';
import { lossValue } from '../model/gradient.js';
import { hessianVectorProduct } from '../model/hessian.js';
import { jacobianTransposeProduct, jacobianVectorProduct } from '../model/jacobian.js';
import { type LossKind, lossScale } from '../model/loss.js';
import { samplesAs, type Samples } from '../model/samples.js';
import type { CurvatureOperator, CurvaturePoint } from './curvature.js';

/**
 * The curvature operator on basin's plain TypeScript kernels (src/model/hessian.ts, jacobian.ts): exact, one thread,
 * every architecture. One forward pass per point is shared by all products there.
 */
export function referenceCurvature(
  architecture: Architecture,
  loss: LossKind,
  samples: Samples,
): CurvatureOperator {
  const exact = samplesAs(samples, 'float64');
  const size = checkCompatible(architecture, new Float64Array(parameterCount(architecture)), exact).size;
  const rows = exact.count * exact.outputDim;
  const c = lossScale(loss, exact.count);
  let disposed = false;
  const live = (): void => {
    if (disposed) throw new BasinError('curvature operator: used after dispose()');
  };
  return {
    engine: 'reference',
    parameterCount: size,
    rows,
    loss(theta: Float64Array): number {
      live();
      checkPoint(theta, size);
      return lossValue(architecture, loss, theta, exact);
    },
    at(theta: Float64Array): CurvaturePoint {
      live();
      checkPoint(theta, size);
      const cache = forward(architecture, theta, exact);
      const residual = new Float64Array(rows);
      let sum = 0;
      for (let k = 0; k < rows; k++) {
        residual[k] = cache.output[k] - exact.y[k];
        sum += residual[k] * residual[k];
      }
      const gradient = jacobianTransposeProduct(architecture, theta, exact, residual, cache);
      for (let p = 0; p < size; p++) gradient[p] *= 2 * c;
      const jv = (v: Float64Array): Float64Array => {
        live();
        return jacobianVectorProduct(architecture, theta, exact, v, cache);
      };
      const jtu = (u: Float64Array): Float64Array => {
        live();
        return jacobianTransposeProduct(architecture, theta, exact, u, cache);
      };
      return {
        theta,
        loss: c * sum,
        residual,
        gradient,
        cache,
        jacobianVector: jv,
        jacobianTransposeVector: jtu,
        gaussNewtonVector: (v) => jtu(jv(v)),
        hessianVector: (v) => {
          live();
          return hessianVectorProduct(architecture, loss, theta, exact, v, cache);
        },
      };
    },
    dispose() {
      disposed = true;
    },
  };
}

/** θ must be float64 with the operator's parameter count. */
export function checkPoint(theta: Float64Array, size: number): void {
  if (!(theta instanceof Float64Array)) {
    throw new InvalidArgumentError('theta', 'a Float64Array (curvature is float64)', theta);
  }
  if (theta.length !== size) throw new InvalidArgumentError('theta', `${size} parameters`, theta.length);
}
