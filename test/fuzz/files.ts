import { gzipSync } from 'node:zlib';
import { cifarBytes, idxBytes, npyBytes } from '../data/fixtures.js';
import type { Fixtures, FuzzFile } from './types.js';

/*
 * Small valid inputs of every format and the hostile variants the corpus builds from them. Everything is generated
 * here, in memory, when a case runs; nothing is committed.
 */

/** Labels 0‥3 over 12 samples: both parities, every class three times. */
export const LABELS: readonly number[] = Array.from({ length: 12 }, (_, n) => n % 4);

export function idxImages(count = 12, rows = 4, cols = 4): Buffer {
  return idxBytes(
    0x08,
    [count, rows, cols],
    Array.from({ length: count * rows * cols }, (_, k) => (k * 37) % 256),
  );
}

export function idxLabels(labels: readonly number[] = LABELS): Buffer {
  return idxBytes(0x08, [labels.length], labels);
}

/** An IDX header alone (zero, zero, type, rank, big-endian sizes), for sizes no body could follow. */
export function idxHeader(typeCode: number, shape: readonly number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt8(typeCode, 2);
  header.writeUInt8(shape.length, 3);
  shape.forEach((s, k) => header.writeUInt32BE(s, 4 + 4 * k));
  return header;
}

/** An MNIST-style directory `dir/` with train (and optionally t10k) images and labels. */
export function idxDirectory(dir: string, options: { gz?: boolean; test?: boolean } = {}): FuzzFile[] {
  const suffix = options.gz ? '.gz' : '';
  const pack = (bytes: Buffer): Buffer => (options.gz ? gzipSync(bytes) : bytes);
  const files: FuzzFile[] = [
    { path: `${dir}/train-images-idx3-ubyte${suffix}`, content: pack(idxImages()) },
    { path: `${dir}/train-labels-idx1-ubyte${suffix}`, content: pack(idxLabels()) },
  ];
  if (options.test) {
    files.push(
      { path: `${dir}/t10k-images-idx3-ubyte${suffix}`, content: pack(idxImages(8)) },
      { path: `${dir}/t10k-labels-idx1-ubyte${suffix}`, content: pack(idxLabels(LABELS.slice(0, 8))) },
    );
  }
  return files;
}

export function cifarBatch(labels: readonly number[] = [0, 1, 2, 3, 4, 5]): Buffer {
  return cifarBytes(labels, (n, k) => (n * 31 + k) % 256);
}

export function npyFeatures(count = 12, features = 16): Buffer {
  return npyBytes(
    '<f8',
    [count, features],
    Array.from({ length: count * features }, (_, k) => ((k * 7) % 11) / 10),
  );
}

export function npyLabels(labels: readonly number[] = LABELS, descr = '<i8'): Buffer {
  return npyBytes(descr, [labels.length], labels);
}

/** An NPY file whose header says anything (shape, dtype) followed by `body`. */
export function npyWithHeader(dict: string, body: Buffer = Buffer.alloc(0), major = 1): Buffer {
  const unpadded = 10 + dict.length + 1;
  const text = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const preamble = Buffer.alloc(10);
  preamble.write('\x93NUMPY', 0, 'latin1');
  preamble[6] = major;
  preamble.writeUInt16LE(text.length, 8);
  return Buffer.concat([preamble, Buffer.from(text, 'latin1'), body]);
}

export function npyShape(shape: string, descr = '<f8', body: Buffer = Buffer.alloc(0)): Buffer {
  return npyWithHeader(`{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`, body);
}

/** A CSV file with a `label` column and four features, one row per label. */
export function csv(labels: readonly number[] = LABELS, header = 'label,a,b,c,d'): string {
  const rows = labels.map((label, n) =>
    [label, ...[0, 1, 2, 3].map((j) => ((n * 5 + j * 3) % 10) / 10)].join(','),
  );
  return `${header}\n${rows.join('\n')}\n`;
}

/** A CSV like csv() whose row `row` (0-based) has `cell` in column `column` (0 = label). */
export function csvWithCell(row: number, column: number, cell: string): string {
  const lines = csv().trimEnd().split('\n');
  const cells = lines[row + 1].split(',');
  cells[column] = cell;
  lines[row + 1] = cells.join(',');
  return `${lines.join('\n')}\n`;
}

/**
 * A gzip bomb: concatenated gzip members (gunzip reads them all) after a first member holding `head`; each member
 * is 16 MiB of zeros in about 16 KiB, so `members` = 64 expands to 1 GiB from about 1 MiB on disk.
 */
export function gzipBomb(head: Buffer, members = 64): Buffer {
  const zeros = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
  return Buffer.concat([gzipSync(head), ...Array.from({ length: members }, () => zeros)]);
}

/** YAML "billion laughs": ten aliases of ten aliases … nine levels deep (10⁹ strings when expanded). */
export function yamlAliasBomb(key = 'bomb'): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let k = 1; k < 9; k++) {
    const refs = Array.from({ length: 10 }, () => `*a${k - 1}`).join(', ');
    lines.push(`a${k}: &a${k} [${refs}]`);
  }
  lines.push(`${key}: *a8`);
  return `${lines.join('\n')}\n`;
}

export function deepJson(depth: number, inner = '1'): string {
  return '['.repeat(depth) + inner + ']'.repeat(depth);
}

export function deepYaml(depth: number): string {
  return `seed: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
}

/** The fixture's train result, changed by `edit` (which may delete keys). */
export function editedResult(edit: (result: Record<string, unknown>) => void): (fx: Fixtures) => string {
  return (fx) => {
    const result = JSON.parse(fx.trainResult) as Record<string, unknown>;
    edit(result);
    return JSON.stringify(result, null, 2);
  };
}

/** The fixture's weights file, changed by `edit`. */
export function editedWeights(edit: (weights: Record<string, unknown>) => void): (fx: Fixtures) => string {
  return (fx) => {
    const weights = JSON.parse(fx.weights) as Record<string, unknown>;
    edit(weights);
    return JSON.stringify(weights, null, 2);
  };
}

/** A tiny valid basin train config (YAML) whose data and net take milliseconds. */
export const TINY_CONFIG_YAML = `seed: 1
data: { source: gaussian, count: 8, inputDim: 2 }
model: { hidden: [2] }
stopping: { maxEpochs: 2 }
`;

export const TINY_CONFIG_JSON = JSON.stringify({
  seed: 1,
  data: { source: 'gaussian', count: 8, inputDim: 2 },
  model: { hidden: [2] },
  stopping: { maxEpochs: 2 },
});

/** A tiny valid sweep spec (as in runner.ts' fixture) with `base` fields replaced or added. */
export function sweepSpec(base: Record<string, unknown> = {}, top: Record<string, unknown> = {}): string {
  return JSON.stringify({
    name: 'fuzz',
    seed: 1,
    repetitions: 1,
    ...top,
    base: { dataset: 'xor', width: 2, epochs: 2, learningRate: 0.01, certify: false, ...base },
  });
}
