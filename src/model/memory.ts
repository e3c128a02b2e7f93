import type { DType } from '../core/dtype.js';
import { bytesOf, requireMemory } from '../core/limits.js';
import { type Architecture, describeArchitecture, parameterLayout } from './architecture.js';

/*
 * Memory checks of the model layer's own sizes (src/core/limits.ts says why sizes are checked before allocation):
 * samples of a declared shape and a network's parameters. A run's whole estimate is src/run/size.ts.
 */

export const FLOAT64_BYTES = 8;

/** The shape of a dataset as declared before loading it. */
export interface DeclaredShape {
  readonly count: number;
  readonly inputDim: number;
  readonly outputDim: number;
}

/** Throws a SizeLimitError naming `data.count` (or `data.inputDim`) when samples of `shape` would exceed the limit. */
export function requireDataFits(shape: DeclaredShape, dtype: DType): void {
  const bytes = dtype === 'float32' ? 4 : FLOAT64_BYTES;
  const values = shape.count * (shape.inputDim + shape.outputDim);
  // Named by the larger factor: `--input-dim 1e9` with 10 samples is the dimension's fault, not the count's.
  requireMemory(
    shape.inputDim > shape.count ? 'data.inputDim' : 'data.count',
    `${shape.count} samples × ${shape.inputDim + shape.outputDim} values × ${bytes} bytes`,
    bytesOf(values, bytes),
  );
}

/**
 * Throws a SizeLimitError naming `field` when `copies` copies of the network's parameters would exceed the limit: the
 * check for a network that is built without being trained (a teacher, a built-in problem's variant).
 */
export function requireNetworkFits(
  architecture: Architecture,
  field: string,
  copies: number,
  dtype: DType,
  purpose = 'a',
): void {
  const bytes = dtype === 'float32' ? 4 : FLOAT64_BYTES;
  const size = parameterLayout(architecture).size;
  requireMemory(
    field,
    `${purpose} ${describeArchitecture(architecture)} network (${size} parameters × ${copies} copies × ${bytes} bytes)`,
    bytesOf(size * copies, bytes),
  );
}
