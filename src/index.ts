/**
 * basin: measure and certify the training loss landscape of multilayer neural networks.
 *
 * The library is layered (core → model → data → train → certify → …); this entry point re-exports the public API
 * of every layer.
 */
export * from './core/errors.js';
export * from './core/rng.js';
export * from './core/dtype.js';
// The linear-algebra helpers (dot, norm, matvec, …) stay under core/linalg; only the solvers are re-exported here.
export {
  choleskyFactor,
  choleskySolve,
  ConvergenceError,
  lanczosExtremes,
  leastSquares,
  numericalRank,
  singularValues,
  symmetricEigen,
  type LanczosExtremes,
  type LanczosOptions,
  type LeastSquares,
  type LeastSquaresOptions,
  type NumericalRank,
  type SymmetricEigen,
  type SymmetricEigenOptions,
} from './core/linalg/index.js';

export * from './model/activation.js';
export * from './model/architecture.js';
export * from './model/samples.js';
export * from './model/loss.js';
export * from './model/forward.js';
export * from './model/gradient.js';
export * from './model/hessian.js';
export * from './model/kinks.js';
export * from './model/slope-noise.js';
export * from './model/init.js';

export * from './data/dataset.js';
export * from './data/labels.js';
export * from './data/gaussian.js';
export * from './data/teacher.js';
export * from './data/swirszcz.js';
export * from './data/toy.js';
export * from './data/fingerprint.js';
export * from './data/loaders/index.js';
export * from './data/preprocess/index.js';

export * from './train/objective.js';
export * from './train/optimiser.js';
export * from './train/update-rules.js';
export * from './train/line-search.js';
export * from './train/lbfgs.js';
export * from './train/minibatches.js';
export * from './train/schedule.js';
export * from './train/stopping.js';
export * from './train/train.js';

export * from './io/weights-file.js';
export * from './io/result-file.js';

export * from './landscape/directions.js';
export * from './landscape/segment.js';
export * from './landscape/slice.js';
export * from './landscape/input-regions.js';

export * from './certify/khatri-rao.js';
export * from './certify/region.js';
export * from './model/jacobian.js';
export * from './certify/polish.js';
export * from './certify/symmetry.js';
export * from './certify/spectrum.js';
export * from './certify/cone.js';
export * from './certify/kink-set.js';
export * from './certify/kink-pieces.js';
export * from './certify/probes.js';
export * from './certify/verdict.js';
export * from './certify/certificate.js';
export * from './certify/certificate-json.js';
export * from './certify/scale.js';
export * from './certify/search.js';

export * from './reproduce/fig5-2.js';
export * from './reproduce/table1.js';

export * from './sweep/spec.js';
export * from './sweep/run-result.js';
export * from './sweep/runner.js';
export * from './sweep/executor.js';
export * from './sweep/local-pool.js';
export * from './sweep/run-sweep.js';
export * from './sweep/store/result-store.js';
export * from './core/statistics.js';
export * from './sweep/minima.js';
export * from './sweep/summary.js';
export * from './sweep/train-runner.js';
export * from './report/figure.js';
export * from './report/render.js';
export * from './report/write-report.js';

export * from './backend/backend.js';
export * from './backend/restarts.js';
export * from './backend/reference-backend.js';
export * from './backend/curvature.js';
export * from './backend/classification.js';
export * from './backend/reference-curvature.js';
export * from './backend/onnx/onnx-backend.js';
export * from './backend/select.js';
export * from './backend/webgpu/index.js';
