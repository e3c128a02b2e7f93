import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertOneLineError, basin, cliSkip, temporaryDirectory } from './helpers.js';

/*
 * One regression test per class of issue 16's hostile inputs, through the real CLI: each of these commands used to
 * allocate until node aborted, print a raw engine message, hang, overwrite an input or be accepted without a word.
 * The broader corpus is test/fuzz/; these are the examples the issue named.
 */

const gaussian = ['--data', 'gaussian', '--samples', '20', '--input-dim', '4'];

function npy(path: string, descr: string, shape: string, data: Buffer): void {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const header = `${dict}${' '.repeat(64 - ((10 + dict.length + 1) % 64))}\n`;
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]));
}

describe('hostile input through the CLI', { skip: cliSkip }, () => {
  const dir = temporaryDirectory('hostile');

  it('memory blow-ups: a network, a sample count and a sweep plan over the limit are refused by name', () => {
    assertOneLineError(
      ['train', ...gaussian, '--hidden', '10000,10000,10000'],
      dir,
      /^basin: --hidden: training a 4-10000-10000-10000-1 network .* would need 8\.94 GiB, over basin's memory limit .*BASIN_MAX_MEMORY/,
    );
    assertOneLineError(
      ['train', '--data', 'gaussian', '--samples', '1e12', '--input-dim', '4'],
      dir,
      /^basin: --samples: 1000000000000 samples .* would need 36\.4 TiB/,
    );
    assertOneLineError(
      ['train', '--data', 'gaussian', '--samples', '10', '--input-dim', '1000000000'],
      dir,
      /^basin: --input-dim: /,
    );
    writeFileSync(
      join(dir, 'reps.yaml'),
      'name: reps\nseed: 1\nrepetitions: 1000000000\nbase: {dataset: gaussian, N: 10, d0: 3, width: 2, epochs: 1, learningRate: 0.01}\n',
    );
    assertOneLineError(
      ['sweep', 'run', 'reps.yaml', '--store', 'reps.duckdb'],
      dir,
      /^basin: reps\.yaml: repetitions: 1 cells × 1000000000 repetitions/,
    );
    writeFileSync(
      join(dir, 'wide.yaml'),
      'name: wide\nseed: 1\nrepetitions: 1\nbase: {dataset: gaussian, N: 10, d0: 3, epochs: 1, learningRate: 0.01}\ngrid: {width: [2, 1000000000]}\n',
    );
    assertOneLineError(
      ['sweep', 'run', 'wide.yaml', '--store', 'wide.duckdb'],
      dir,
      /^basin: wide\.yaml: cell 1 \(grid\.width\[1\]\): grid\.width\[1\]: training a 3-1000000000-1 network /,
    );
  });

  it('raw engine messages: header sizes are checked against the file and the limit', () => {
    npy(join(dir, 'huge.npy'), '<f8', '(1000000000000, 784)', Buffer.alloc(64));
    assertOneLineError(
      ['data', 'inspect', 'huge.npy'],
      dir,
      /^basin: huge\.npy: truncated at byte offset \d+: array data needs 6272000000000000 bytes from byte offset \d+$/,
    );
    const idx = Buffer.alloc(16 + 8);
    idx.writeUInt32BE(0x00000803, 0);
    idx.writeUInt32BE(1, 4);
    idx.writeUInt32BE(65535, 8);
    idx.writeUInt32BE(65535, 12);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx);
    const labels = Buffer.alloc(9);
    labels.writeUInt32BE(0x00000801, 0);
    labels.writeUInt32BE(1, 4);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels);
    assertOneLineError(
      ['data', 'inspect', 'train-images-idx3-ubyte'],
      dir,
      /^basin: train-images-idx3-ubyte: truncated at byte offset 24: image data needs 4294836225 bytes/,
    );
    npy(join(dir, 'x.npy'), '<f8', '(3, 2)', Buffer.alloc(48));
    const label = Buffer.alloc(24);
    label.writeDoubleLE(2147483647, 16);
    npy(join(dir, 'labels.npy'), '<f8', '(3,)', label);
    assertOneLineError(
      ['data', 'inspect', 'x.npy', '--labels', 'labels.npy'],
      dir,
      /^basin: labels\.npy: class indices up to 2147483647 .* would need 16\.0 GiB/,
    );
  });

  it('hangs: devices and uncreatable directories fail at once', () => {
    assertOneLineError(
      ['data', 'inspect', '/dev/zero', '--format', 'csv'],
      dir,
      /^basin: \/dev\/zero: cannot read the CSV file \(a character device, not a regular file\)$/,
    );
    assertOneLineError(
      ['data', 'prepare', 'x.npy', '--labels', 'labels.npy', '--out', '/proc/basin-x'],
      dir,
      /^basin: --out: expected a directory basin can write/,
    );
  });

  it('clobbered inputs: outputs that name an input or each other are refused and nothing is written', () => {
    const config = join(dir, 'self.json');
    const text =
      '{"data": {"source": "gaussian", "count": 10, "inputDim": 3}, "output": {"result": "self.json"}}';
    writeFileSync(config, text);
    assertOneLineError(
      ['train', '--config', 'self.json'],
      dir,
      /^basin: output\.result: expected a file other than --config/,
    );
    assert.equal(readFileSync(config, 'utf8'), text);
    assertOneLineError(
      ['train', ...gaussian, '--out', 'same.json', '--weights', 'same.json'],
      dir,
      /^basin: --weights: expected a file other than --out/,
    );
    const images = readFileSync(join(dir, 'train-images-idx3-ubyte'));
    assertOneLineError(
      ['data', 'inspect', 'x.npy', '--labels', 'labels.npy', '--grid', 'x.npy'],
      dir,
      /^basin: (--grid: expected a file other than <path>|labels\.npy: class indices)/,
    );
    assert.deepEqual(readFileSync(join(dir, 'train-images-idx3-ubyte')), images);
  });

  it('accepted without a word: hex, an empty ρ, a doubled key, two label columns, a shape that does not match', () => {
    assertOneLineError(
      ['train', ...gaussian, '--hidden', '0x10'],
      dir,
      /^basin: --hidden: expected an integer ≥ 1, got "0x10"/,
    );
    assertOneLineError(
      ['train', ...gaussian, '--activation', 'leaky-relu:'],
      dir,
      /^basin: --activation: .*got "leaky-relu:"/,
    );
    writeFileSync(
      join(dir, 'dup.json'),
      '{"data": {"source": "gaussian", "count": 10, "count": 12, "inputDim": 3}}',
    );
    assertOneLineError(
      ['train', '--config', 'dup.json'],
      dir,
      /^basin: dup\.json: not valid JSON: a key is written twice/,
    );
    writeFileSync(join(dir, 'hex.yaml'), 'data: {source: gaussian, count: 0x10, inputDim: 3}\n');
    assertOneLineError(
      ['train', '--config', 'hex.yaml'],
      dir,
      /^basin: hex\.yaml: data\.count: expected an integer ≥ 1, got "0x10"/,
    );
    writeFileSync(join(dir, 'two.csv'), 'label,a,label\n1,2,3\n');
    assertOneLineError(['data', 'inspect', 'two.csv'], dir, /names the label column "label" twice/);
    writeFileSync(join(dir, 'hex.csv'), 'label,a\n1,0x10\n');
    assertOneLineError(['data', 'inspect', 'hex.csv'], dir, /column "a": "0x10" is not a finite number/);
    npy(join(dir, 'empty.npy'), '<f8', '(0, 4)', Buffer.alloc(0));
    assertOneLineError(['data', 'inspect', 'empty.npy'], dir, /^basin: empty\.npy: holds no samples/);
    assertOneLineError(
      ['data', 'inspect', 'x.npy', '--shape', '5x5'],
      dir,
      /^basin: --shape: expected a shape of 2 values, as the file's samples of shape \(2\) hold/,
    );
    assertOneLineError(
      ['data', 'prepare', 'x.npy', '--out', 'p', '--components', '2'],
      dir,
      /^basin: --components: expected to be given with --whiten pca/,
    );
  });

  it('inline data: no samples, or targets of mixed forms, are refused by field', () => {
    writeFileSync(join(dir, 'empty.yaml'), 'data: {source: inline, x: [], y: []}\n');
    assertOneLineError(
      ['train', '--config', 'empty.yaml'],
      dir,
      /^basin: empty\.yaml: data\.x: expected at least one sample/,
    );
    writeFileSync(join(dir, 'mixed.yaml'), 'data: {source: inline, x: [[1], [2]], y: [[1], 2]}\n');
    assertOneLineError(
      ['train', '--config', 'mixed.yaml'],
      dir,
      /^basin: mixed\.yaml: data\.y\[1\]: expected a row of 1 numbers/,
    );
  });

  it('a result file without weightsFile is refused by name', () => {
    writeFileSync(
      join(dir, 'r.json'),
      JSON.stringify({
        format: 'basin-train-result',
        version: 2,
        result: { finalLoss: 1, finalMse: 1, epochs: 1 },
        config: {},
        backend: { backend: 'reference', requested: 'auto', reason: 'x' },
      }),
    );
    const result = basin(['certify', 'r.json'], dir);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^basin: r\.json: the result file names no weights file/);
  });
});
