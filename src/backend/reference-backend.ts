import { BasinError } from '../core/errors.js';
import { referenceObjective } from '../train/objective.js';
import type { Backend, BackendObjective } from './backend.js';
import { referenceClassificationCheck } from './classification.js';
import { referenceCurvature } from './reference-curvature.js';
import { loopedRestartsObjective } from './restarts.js';

/** basin's own closed-form backprop in plain TypeScript: exact reference, works for every problem, one thread. */
export const referenceBackend: Backend = {
  name: 'reference',
  description: 'plain TypeScript closed-form backprop (lossAndGradient), one thread',
  dtypes: ['float64', 'float32'],
  unsupportedReason: () => undefined,
  objective(architecture, loss, samples): BackendObjective {
    const inner = referenceObjective(architecture, loss, samples);
    let disposed = false;
    return {
      backend: 'reference',
      parameterCount: inner.parameterCount,
      sampleCount: inner.sampleCount,
      evaluate(theta, batch) {
        if (disposed) throw new BasinError('objective: evaluated after dispose()');
        return inner.evaluate(theta, batch);
      },
      dispose() {
        disposed = true;
      },
    };
  },
  restartsObjective(architecture, loss, samples, restarts) {
    return loopedRestartsObjective(referenceBackend.objective(architecture, loss, samples), restarts);
  },
  curvature: referenceCurvature,
  classificationCheck: referenceClassificationCheck,
  dispose: () => undefined,
};
