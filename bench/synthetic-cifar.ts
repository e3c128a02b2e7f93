/**
 * CIFAR-10 binary files of CIFAR's size with synthetic images, for benchmarks that must run from raw files without
 * the real data set (bench/run.ts `--cases=row`).
 *
 * Pixels are not i.i.d. uniform: whitening's cost does not depend on the values, but its numerics and the training
 * that follows do, and i.i.d. pixels have a flat covariance spectrum that no image set has. Each image is a sum of
 * random fields at 2×2, 4×4, 8×8, 16×16 and 32×32 resolution, each upsampled bilinearly to 32×32 and added with an
 * amplitude that falls with resolution (the last level is per-pixel noise), the three colour channels correlated
 * (0.8 shared, 0.6 own per field), plus a class-dependent 4×4 pattern so the labels carry some signal. The
 * covariance then has a few large eigenvalues (the coarse fields, each spread over hundreds of pixels), a decaying
 * middle and a noise floor near (6/255)² ≈ 5.5e-4 in [0, 1] units: a decaying spectrum, though flatter at the bottom
 * than real CIFAR-10's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { deriveSeed, Rng } from '../src/core/rng.js';
import { CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES } from '../src/data/loaders/cifar.js';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const CHANNELS = 3;
const CLASSES = 10;
/** Side of each field, coarsest first; the last is the image's own resolution. */
const LEVELS = [2, 4, 8, 16, 32];
/** Standard deviation of each field in pixel units (0–255), so that clipping at 0 and 255 is rare. */
const AMPLITUDES = [36, 24, 16, 10, 6];
/** The class pattern: 4×4 per channel, added at the level of that side. */
const CLASS_SIDE = 4;
const CLASS_AMPLITUDE = 12;
const SHARED = 0.8;
const OWN = 0.6;

/** Unit-variance uniform draws from one 32-bit output each: the generator's cost is mostly these. */
function unitUniform(rng: Rng): number {
  return (rng.nextUint32() * 2.3283064365386963e-10 - 0.5) * 3.4641016151377544;
}

/** Bilinear ×2 upsampling of a side × side plane (half-pixel centres, edges clamped) into `out`. */
function upsample(plane: Float64Array, side: number, rows: Float64Array, out: Float64Array): void {
  const fine = 2 * side;
  // Along rows first (side rows of 2·side values), then along columns.
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const here = plane[r * side + c];
      const left = plane[r * side + Math.max(c - 1, 0)];
      const right = plane[r * side + Math.min(c + 1, side - 1)];
      rows[r * fine + 2 * c] = 0.75 * here + 0.25 * left;
      rows[r * fine + 2 * c + 1] = 0.75 * here + 0.25 * right;
    }
  }
  for (let r = 0; r < side; r++) {
    const up = Math.max(r - 1, 0) * fine;
    const down = Math.min(r + 1, side - 1) * fine;
    const at = r * fine;
    for (let c = 0; c < fine; c++) {
      out[2 * r * fine + c] = 0.75 * rows[at + c] + 0.25 * rows[up + c];
      out[(2 * r + 1) * fine + c] = 0.75 * rows[at + c] + 0.25 * rows[down + c];
    }
  }
}

/** The class patterns of a seed: CLASSES × CHANNELS × CLASS_SIDE² values of standard deviation CLASS_AMPLITUDE. */
function classPatterns(seed: number): Float64Array {
  const rng = new Rng(deriveSeed(seed, 'synthetic-cifar', 'classes'));
  const patterns = new Float64Array(CLASSES * CHANNELS * CLASS_SIDE * CLASS_SIDE);
  for (let i = 0; i < patterns.length; i++) patterns[i] = CLASS_AMPLITUDE * unitUniform(rng);
  return patterns;
}

/**
 * `count` CIFAR-10 records (1 label byte 0–9, then 3072 pixel bytes, red, green, blue planes row-major) drawn from
 * `seed` and `stream` (one stream per file, so a file's bytes do not depend on the others).
 */
export function syntheticCifarRecords(count: number, seed: number, stream: string): Buffer {
  const out = Buffer.alloc(count * CIFAR10_RECORD_BYTES);
  const rng = new Rng(deriveSeed(seed, 'synthetic-cifar', stream));
  const patterns = classPatterns(seed);
  const planes = Array.from({ length: CHANNELS }, () => new Float64Array(PLANE));
  const next = new Float64Array(PLANE);
  const rows = new Float64Array(PLANE);
  const shared = new Float64Array(PLANE);
  for (let n = 0; n < count; n++) {
    const label = rng.nextUint32() % CLASSES;
    const record = n * CIFAR10_RECORD_BYTES;
    out[record] = label;
    for (let level = 0; level < LEVELS.length; level++) {
      const side = LEVELS[level];
      const cells = side * side;
      const amplitude = AMPLITUDES[level];
      for (let i = 0; i < cells; i++) shared[i] = unitUniform(rng);
      for (let channel = 0; channel < CHANNELS; channel++) {
        const plane = planes[channel];
        if (level === 0) plane.fill(0, 0, cells);
        else {
          upsample(plane, LEVELS[level - 1], rows, next);
          plane.set(next.subarray(0, cells));
        }
        for (let i = 0; i < cells; i++) plane[i] += amplitude * (SHARED * shared[i] + OWN * unitUniform(rng));
        if (side === CLASS_SIDE) {
          const pattern = (label * CHANNELS + channel) * cells;
          for (let i = 0; i < cells; i++) plane[i] += patterns[pattern + i];
        }
      }
    }
    for (let channel = 0; channel < CHANNELS; channel++) {
      const plane = planes[channel];
      const at = record + 1 + channel * PLANE;
      for (let i = 0; i < PLANE; i++) {
        const value = Math.round(128 + plane[i]);
        out[at + i] = value < 0 ? 0 : value > 255 ? 255 : value;
      }
    }
  }
  return out;
}

export interface SyntheticCifarFiles {
  readonly directory: string;
  /** data_batch_1…5.bin, then test_batch.bin. */
  readonly files: readonly string[];
  readonly recordsPerFile: number;
  readonly bytes: number;
  /** Wall-clock seconds to generate and write them. */
  readonly seconds: number;
}

/**
 * Writes data_batch_1…5.bin and test_batch.bin into `directory` (created if missing), `recordsPerFile` records each
 * (CIFAR-10 has 10 000; 184 MB in all at that size).
 */
export function writeSyntheticCifar10(
  directory: string,
  options: { readonly recordsPerFile: number; readonly seed: number },
): SyntheticCifarFiles {
  const started = performance.now();
  mkdirSync(directory, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  for (const name of [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES]) {
    const file = join(directory, name);
    const records = syntheticCifarRecords(options.recordsPerFile, options.seed, name);
    writeFileSync(file, records);
    files.push(file);
    bytes += records.length;
  }
  return {
    directory,
    files,
    recordsPerFile: options.recordsPerFile,
    bytes,
    seconds: (performance.now() - started) / 1000,
  };
}
