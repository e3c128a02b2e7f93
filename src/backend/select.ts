import { InvalidArgumentError } from '../core/errors.js';
import type { DenseProducts } from '../core/linalg/products.js';
import { multiplyAddsPerRow } from '../model/architecture.js';
import {
  type Backend,
  type BackendChoice,
  type BackendChoiceRecord,
  BACKEND_NAMES,
  type BackendRequest,
  type ChooseBackendOptions,
  type Problem,
  AUTO_MIN_MULTIPLY_ADDS,
} from './backend.js';

export { AUTO_MIN_MULTIPLY_ADDS };

export type { BackendChoice, BackendChoiceRecord, BackendRequest, ChooseBackendOptions };
import type { CurvatureOperator } from './curvature.js';
import { onnxBackend } from './onnx/onnx-backend.js';
import { onnxDenseProducts } from './onnx/dense-products.js';
import { onnxRuntimeStatus } from './onnx/runtime.js';
import { referenceBackend } from './reference-backend.js';

/** What a user asks for: a backend by name, or `auto` (choose by availability and problem size). */

export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', ...BACKEND_NAMES];

export function parseBackendRequest(text: string, argument = 'backend'): BackendRequest {
  const found = BACKEND_REQUESTS.find((name) => name === text);
  if (found === undefined)
    throw new InvalidArgumentError(argument, `one of ${BACKEND_REQUESTS.join(', ')}`, text);
  return found;
}

/** Multiply-adds of one loss-and-gradient evaluation's forward pass on `rows` samples. */
export function multiplyAddsPerEvaluation(problem: Problem, rows = problem.samples.count): number {
  return rows * multiplyAddsPerRow(problem.architecture);
}

/**
 * Picks the backend for `problem`. An explicit name is honoured or refused with the reason (never silently
 * replaced); `auto` takes ONNX Runtime when it loads, supports the problem and the problem is large enough to
 * amortise its per-call overhead, else the reference.
 */
export function chooseBackend(
  request: BackendRequest,
  problem: Problem,
  options: ChooseBackendOptions = {},
): BackendChoice {
  const onnx = (): Backend => onnxBackend(options.threads === undefined ? {} : { threads: options.threads });
  const onnxRecord = (reason: string): BackendChoice => {
    const status = onnxRuntimeStatus();
    return {
      backend: onnx(),
      record: {
        backend: 'onnx',
        requested: request,
        reason,
        ...(status.available ? { runtimeVersion: status.runtime.version } : {}),
      },
    };
  };
  const reference = (reason: string): BackendChoice => ({
    backend: referenceBackend,
    record: { backend: 'reference', requested: request, reason },
  });

  switch (request) {
    case 'reference':
      return reference('requested');
    case 'onnx': {
      const why = onnx().unsupportedReason(problem);
      if (why !== undefined) {
        throw new InvalidArgumentError(
          'backend',
          `a backend that can run this problem here (onnx: ${why})`,
          'onnx',
        );
      }
      return onnxRecord('requested');
    }
    case 'auto': {
      const why = onnx().unsupportedReason(problem);
      if (why !== undefined) return reference(`auto: onnx unavailable (${why})`);
      const work = multiplyAddsPerEvaluation(problem, options.rowsPerEvaluation);
      if (work < AUTO_MIN_MULTIPLY_ADDS) {
        return reference(`auto: ${work} multiply-adds per evaluation < ${AUTO_MIN_MULTIPLY_ADDS}`);
      }
      return onnxRecord(`auto: ${work} multiply-adds per evaluation ≥ ${AUTO_MIN_MULTIPLY_ADDS}`);
    }
  }
}

/**
 * Runs `work` with the curvature operator of the backend `request` picks for `problem` (`chooseBackend`'s rule), and
 * disposes it afterwards. The Node-side way to give `certify` a fast engine:
 *
 * @example
 * ```ts
 * const certificate = withCurvature('auto', { architecture, loss, samples }, (curvature) =>
 *   certify(architecture, loss, theta, samples, { curvature }),
 * );
 * ```
 */
export function withCurvature<T>(
  request: BackendRequest,
  problem: Problem,
  work: (curvature: CurvatureOperator) => T,
  options: ChooseBackendOptions = {},
): T {
  const { backend } = chooseBackend(request, problem, options);
  const curvature = backend.curvature(problem.architecture, problem.loss, problem.samples);
  try {
    return work(curvature);
  } finally {
    curvature.dispose();
    backend.dispose();
  }
}

/**
 * Runs `work` with the dense float64 products of the requested backend: ONNX's MatMul unless the request is
 * `reference` or the runtime is missing here (then the TypeScript kernels, which `work` gets as undefined), and
 * releases them afterwards. For whitening and eigendecompositions at CIFAR-10's size, which take minutes in
 * TypeScript.
 */
export async function withDenseProducts<T>(
  request: BackendRequest,
  work: (products: DenseProducts | undefined) => Promise<T>,
): Promise<T> {
  const products = request !== 'reference' && onnxRuntimeStatus().available ? onnxDenseProducts() : undefined;
  try {
    return await work(products);
  } finally {
    products?.dispose();
  }
}
