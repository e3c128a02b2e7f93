import {
  csv,
  csvWithCell,
  cifarBatch,
  deepJson,
  deepYaml,
  editedResult,
  editedWeights,
  gzipBomb,
  idxDirectory,
  idxHeader,
  idxImages,
  idxLabels,
  npyFeatures,
  npyLabels,
  npyShape,
  npyWithHeader,
  sweepSpec,
  TINY_CONFIG_JSON,
  TINY_CONFIG_YAML,
  yamlAliasBomb,
} from './files.js';
import { TINY_SWEEP } from './runner.js';
import type { Expectation, FileContent, FuzzCase, FuzzClass, FuzzFile } from './types.js';
import { idxBytes } from '../data/fixtures.js';

/*
 * The fuzz corpus of issue 16: malformed and hostile inputs for every `basin` command and file format, each with the
 * outcome basin should have. The expectations are the desired behaviour (a one-line error naming the flag, field or
 * file at fault; or a valid run), never what basin happened to print when the case was written; patterns match the
 * name at fault loosely so that rewording a message does not break them.
 */

const error = (pattern: RegExp, options: { progress?: true } = {}): Expectation => ({
  error: pattern,
  ...options,
});
const usage = (pattern: RegExp): Expectation => ({ usage: pattern });
const errorOrWarning = (pattern: RegExp): Expectation => ({ errorOrWarning: pattern });
const ok = (options: { stdout?: RegExp; creates?: readonly string[] } = {}): Expectation => ({
  ok: true,
  ...options,
});

const GROUPS = new Set(['data', 'sweep', 'reproduce', 'landscape']);

function kase(
  id: string,
  fuzzClass: FuzzClass,
  args: readonly string[],
  expect: Expectation,
  files: readonly FuzzFile[] = [],
  timeoutMs?: number,
): FuzzCase {
  const command =
    GROUPS.has(args[0]) && args[1] !== undefined && !args[1].startsWith('-')
      ? `${args[0]} ${args[1]}`
      : args[0];
  return {
    id,
    class: fuzzClass,
    command,
    args,
    files,
    expect,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

const file = (path: string, content: FileContent): FuzzFile => ({ path, content });
const directory = (path: string): FuzzFile => ({ path, directory: true });

/** A tiny gaussian training run: 8 samples, 2 inputs, 2 hidden units, 2 epochs. */
const TINY = ['--samples', '8', '--input-dim', '2', '--hidden', '2', '--epochs', '2'];
const train = (...args: string[]): string[] => ['train', ...args];

/** Escape for RegExp source. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ─── basin train: flags ───────────────────────────────────────────────────────────────────────────────────────────

function trainFlagCases(): FuzzCase[] {
  const cases: FuzzCase[] = [];
  // Number syntax: every value here is refused by the flag's name (decimal with an optional exponent only).
  const numberFlags: [string, string[], string[]][] = [
    // [flag, values, the other arguments]: every syntax on one integer and one real flag (one parser serves all),
    // one or two values on the rest.
    ['--samples', ['0x10', '', '1e', 'NaN', '-5', '2.5'], ['--input-dim', '2', '--hidden', '2']],
    ['--lr', ['0x1', 'NaN', '-0.1', 'Infinity', '1e', ''], TINY],
    ['--input-dim', ['0x2', '1e400'], ['--samples', '8', '--hidden', '2']],
    ['--hidden', ['0x10', '4,,4', '4,0', '4.5'], ['--samples', '8', '--input-dim', '2']],
    ['--epochs', ['0x3', '-1'], ['--samples', '8', '--input-dim', '2', '--hidden', '2']],
    ['--seed', ['4294967296', '0x10'], TINY],
    ['--batch-size', ['0'], TINY],
    ['--beta1', ['1'], TINY],
    ['--momentum', ['-1'], [...TINY, '--optimiser', 'gd']],
    ['--gamma', ['0x1'], [...TINY, '--schedule', 'exponential']],
    ['--init-std', ['NaN'], [...TINY, '--init', 'gaussian']],
    ['--data-seed', ['0x1'], TINY],
    ['--teacher-hidden', ['0x4'], [...TINY, '--data', 'teacher']],
  ];
  for (const [flag, values, rest] of numberFlags) {
    values.forEach((value) => {
      const name = value === '' ? 'empty' : value;
      cases.push(
        kase(
          `train/${flag.slice(2)}=${name}`,
          'number',
          train(...rest, flag, value),
          error(new RegExp(literal(flag))),
        ),
      );
    });
  }
  // Declared sizes: refused before allocation, naming the flag.
  cases.push(
    kase(
      'train/hidden=10000x3',
      'memory',
      train('--samples', '8', '--input-dim', '2', '--hidden', '10000,10000,10000', '--epochs', '1'),
      error(/--hidden|model\.hidden/),
    ),
    kase(
      'train/hidden=1e9',
      'memory',
      train('--samples', '8', '--input-dim', '2', '--hidden', '1000000000'),
      error(/--hidden|model\.hidden/),
    ),
    kase(
      'train/hidden=100000-input-dim=100000',
      'memory',
      train('--samples', '2', '--input-dim', '100000', '--hidden', '100000'),
      error(/--hidden|--input-dim/),
    ),
    kase(
      'train/samples=1e12',
      'engine-message',
      train('--samples', '1e12', '--input-dim', '2', '--hidden', '2'),
      error(/--samples|data\.count/),
    ),
    kase(
      'train/samples=1e9-input-dim=1000',
      'memory',
      train('--samples', '1000000000', '--input-dim', '1000', '--hidden', '2'),
      error(/--samples|--input-dim/),
    ),
    kase(
      'train/input-dim=1e9',
      'engine-message',
      train('--samples', '10', '--input-dim', '1000000000', '--hidden', '2'),
      error(/--input-dim|data\.inputDim/),
    ),
    kase(
      'train/teacher-hidden=1e9',
      'memory',
      train(
        '--data',
        'teacher',
        '--samples',
        '8',
        '--input-dim',
        '2',
        '--hidden',
        '2',
        '--teacher-hidden',
        '1000000000',
      ),
      error(/--teacher-hidden|data\.hidden/),
    ),
  );
  // Meaningless or ambiguous flags: refused (or, where marked, warned about) instead of silently ignored.
  cases.push(
    kase(
      'train/activation=leaky-relu:',
      'silent',
      train(...TINY, '--activation', 'leaky-relu:'),
      error(/--activation/),
    ),
    kase(
      'train/activation=leaky-relu:0x1',
      'number',
      train(...TINY, '--activation', 'leaky-relu:0x1'),
      error(/--activation/),
    ),
    kase(
      'train/batch-size-with-gd',
      'silent',
      train(...TINY, '--optimiser', 'gd', '--batch-size', '4'),
      error(/--batch-size/),
    ),
    kase('train/memory-with-adam', 'silent', train(...TINY, '--memory', '5'), error(/--memory/)),
    kase(
      'train/teacher-hidden-without-teacher',
      'silent',
      train(...TINY, '--teacher-hidden', '4'),
      error(/--teacher-hidden/),
    ),
    kase(
      'train/samples-with-xor',
      'silent',
      train('--data', 'xor', '--hidden', '2', '--epochs', '2', '--samples', '10'),
      errorOrWarning(/--samples/),
    ),
    kase(
      'train/input-dim-with-swirszcz',
      'silent',
      train('--data', 'swirszcz-d1', '--hidden', '1', '--epochs', '2', '--input-dim', '5'),
      errorOrWarning(/--input-dim/),
    ),
    kase(
      'train/data-path-with-gaussian',
      'silent',
      [...train(...TINY, '--data-path', 'd.csv')],
      error(/--data-path/),
      [file('d.csv', csv())],
    ),
    kase(
      'train/whiten-epsilon-without-whiten',
      'silent',
      train(
        '--data',
        'file',
        '--data-path',
        'd.csv',
        '--hidden',
        '2',
        '--epochs',
        '2',
        '--whiten-epsilon',
        '0.01',
      ),
      errorOrWarning(/--whiten-epsilon|--whiten|data\.whiten/),
      [file('d.csv', csv())],
    ),
    kase(
      'train/components-without-whiten',
      'silent',
      train('--data', 'file', '--data-path', 'd.csv', '--hidden', '2', '--epochs', '2', '--components', '2'),
      error(/--components|--whiten|data\.whiten/),
      [file('d.csv', csv())],
    ),
    kase(
      'train/binary-one-class',
      'silent',
      train(
        '--data',
        'file',
        '--data-path',
        'd.csv',
        '--hidden',
        '2',
        '--epochs',
        '2',
        '--binary',
        'low-high:100',
      ),
      error(/--binary|data\.binary/),
      [file('d.csv', csv())],
    ),
    kase(
      'train/binary-same-class-both-sides',
      'silent',
      train(
        '--data',
        'file',
        '--data-path',
        'd.csv',
        '--hidden',
        '2',
        '--epochs',
        '2',
        '--binary',
        'pos:1/neg:1',
      ),
      error(/--binary|data\.binary/),
      [file('d.csv', csv())],
    ),
    kase(
      'train/binary-parity-one-class',
      'silent',
      train('--data', 'file', '--data-path', 'd.csv', '--hidden', '2', '--epochs', '2'),
      error(/--binary|data\.binary|class/),
      [file('d.csv', csv([0, 2, 4, 0, 2, 4]))],
    ),
    kase(
      'train/components-above-features',
      'silent',
      train(
        '--data',
        'file',
        '--data-path',
        'd.csv',
        '--hidden',
        '2',
        '--epochs',
        '2',
        '--whiten',
        'pca',
        '--components',
        '50',
      ),
      error(/--components|components/),
      [file('d.csv', csv())],
    ),
    kase(
      'train/downsample-not-divisor',
      'silent',
      train('--data', 'file', '--data-path', 'img', '--hidden', '2', '--epochs', '2', '--downsample', '3'),
      error(/--downsample|downsample/),
      idxDirectory('img'),
    ),
    kase('train/no-data', 'malformed', train('--hidden', '2'), error(/--data/)),
  );
  return cases;
}

// ─── basin train: outputs ─────────────────────────────────────────────────────────────────────────────────────────

function trainOutputCases(): FuzzCase[] {
  const yamlConfigWritingItself = `${TINY_CONFIG_YAML}output: { result: cfg.yaml }\n`;
  return [
    kase(
      'train/config-output-result-is-config',
      'clobber',
      train('--config', 'cfg.yaml'),
      error(/output\.result|cfg\.yaml/),
      [file('cfg.yaml', yamlConfigWritingItself)],
    ),
    kase(
      'train/config-output-weights-is-config',
      'clobber',
      train('--config', 'cfg.json'),
      error(/output\.weights|cfg\.json/),
      [
        file(
          'cfg.json',
          JSON.stringify({ ...JSON.parse(TINY_CONFIG_JSON), output: { weights: 'cfg.json' } }),
        ),
      ],
    ),
    kase(
      'train/out-same-as-weights',
      'clobber',
      train(...TINY, '--out', 'same.json', '--weights', 'same.json'),
      error(/--out|--weights/),
    ),
    kase(
      'train/out-same-as-weights-other-spelling',
      'clobber',
      train(...TINY, '--out', './sub/../same.json', '--weights', 'same.json'),
      error(/--out|--weights/),
      [directory('sub')],
    ),
    kase(
      'train/out-is-config',
      'clobber',
      train('--config', 'cfg.yaml', '--out', 'cfg.yaml'),
      error(/--out|cfg\.yaml/),
      [file('cfg.yaml', TINY_CONFIG_YAML)],
    ),
    kase(
      'train/weights-is-config',
      'clobber',
      train('--config', 'cfg.yaml', '--weights', 'cfg.yaml'),
      error(/--weights|cfg\.yaml/),
      [file('cfg.yaml', TINY_CONFIG_YAML)],
    ),
    kase(
      'train/out-is-data-file',
      'clobber',
      train('--data', 'file', '--data-path', 'd.csv', '--hidden', '2', '--epochs', '2', '--out', 'd.csv'),
      error(/--out|d\.csv/),
      [file('d.csv', csv())],
    ),
    kase(
      'train/weights-is-label-file',
      'clobber',
      train(
        '--data',
        'file',
        '--data-path',
        'x.npy',
        '--label-file',
        'y.npy',
        '--hidden',
        '2',
        '--epochs',
        '2',
        '--weights',
        'y.npy',
      ),
      error(/--weights|y\.npy/),
      [file('x.npy', npyFeatures()), file('y.npy', npyLabels())],
    ),
    kase(
      'train/out-symlink-to-config',
      'clobber',
      train('--config', 'cfg.yaml', '--out', 'link.json'),
      error(/--out|link\.json|cfg\.yaml/),
      [file('cfg.yaml', TINY_CONFIG_YAML), { path: 'link.json', symlinkTo: 'cfg.yaml' }],
    ),
    kase('train/out-is-directory', 'path', train(...TINY, '--out', 'outdir'), error(/--out|outdir/), [
      directory('outdir'),
    ]),
    kase(
      'train/out-under-a-file',
      'path',
      train(...TINY, '--out', 'plain.txt/result.json'),
      error(/--out|plain\.txt/),
      [file('plain.txt', 'not a directory\n')],
    ),
    kase(
      'train/out-in-proc',
      'path',
      train(...TINY, '--out', '/proc/basin-fuzz.json'),
      error(/--out|\/proc/),
    ),
    kase('train/valid-tiny', 'valid', train(...TINY), ok({ creates: ['train-result.json'] })),
    kase(
      'train/valid-weights',
      'valid',
      train(
        '--data',
        'xor',
        '--hidden',
        '2',
        '--bias',
        '--epochs',
        '2',
        '--out',
        'r.json',
        '--weights',
        'w.json',
      ),
      ok({ creates: ['r.json', 'w.json'] }),
    ),
    kase(
      'train/valid-yaml-config',
      'valid',
      train('--config', 'cfg.yaml', '--out', 'r.json'),
      ok({ creates: ['r.json'] }),
      [file('cfg.yaml', TINY_CONFIG_YAML)],
    ),
    kase(
      'train/valid-csv-file',
      'valid',
      train('--data', 'file', '--data-path', 'd.csv', '--hidden', '2', '--epochs', '2', '--out', 'r.json'),
      ok({ creates: ['r.json'] }),
      [file('d.csv', csv())],
    ),
    kase(
      'train/valid-idx-pca',
      'valid',
      train(
        '--data',
        'file',
        '--data-path',
        'img',
        '--hidden',
        '2',
        '--epochs',
        '2',
        '--whiten',
        'pca',
        '--whiten-epsilon',
        '0.01',
        '--components',
        '3',
        '--out',
        'r.json',
      ),
      ok({ creates: ['r.json'] }),
      idxDirectory('img'),
    ),
    kase(
      'train/valid-unicode-paths',
      'valid',
      train(
        '--data',
        'file',
        '--data-path',
        'dätä ü/ñ 数据.csv',
        '--hidden',
        '2',
        '--epochs',
        '2',
        '--out',
        'résultat 結果.json',
      ),
      ok({ creates: ['résultat 結果.json'] }),
      [file('dätä ü/ñ 数据.csv', csv())],
    ),
    kase(
      'train/valid-hidden-empty-is-linear',
      'valid',
      train('--samples', '8', '--input-dim', '2', '--hidden', '', '--epochs', '2'),
      ok({ creates: ['train-result.json'] }),
    ),
  ];
}

// ─── basin train: config files ────────────────────────────────────────────────────────────────────────────────────

function trainConfigCases(): FuzzCase[] {
  const cfg = (
    id: string,
    fuzzClass: FuzzClass,
    name: string,
    content: string | Buffer,
    pattern: RegExp,
    extra: FuzzFile[] = [],
  ): FuzzCase =>
    kase(`train/config/${id}`, fuzzClass, train('--config', name), error(pattern), [
      file(name, content),
      ...extra,
    ]);
  const base = JSON.parse(TINY_CONFIG_JSON) as Record<string, Record<string, unknown>>;
  const json = (edit: (config: Record<string, Record<string, unknown>>) => void): string => {
    const config = structuredClone(base);
    edit(config);
    return JSON.stringify(config);
  };
  return [
    cfg('empty-yaml', 'malformed', 'cfg.yaml', '', /cfg\.yaml/),
    cfg('empty-json', 'malformed', 'cfg.json', '', /cfg\.json/),
    cfg('truncated-json', 'malformed', 'cfg.json', TINY_CONFIG_JSON.slice(0, 30), /cfg\.json/),
    cfg(
      'json-duplicate-top-key',
      'silent',
      'cfg.json',
      TINY_CONFIG_JSON.replace('{"seed":1,', '{"seed":1,"seed":2,'),
      /cfg\.json.*seed|seed.*duplicate|duplicate.*seed/i,
    ),
    cfg(
      'json-duplicate-nested-key',
      'silent',
      'cfg.json',
      TINY_CONFIG_JSON.replace('"hidden":[2]', '"hidden":[2],"hidden":[3]'),
      /model\.hidden|hidden.*duplicate|duplicate.*hidden/i,
    ),
    cfg(
      'yaml-alias-bomb',
      'hostile',
      'cfg.yaml',
      `${TINY_CONFIG_YAML}${yamlAliasBomb('comment')}`,
      /cfg\.yaml/,
    ),
    cfg('yaml-recursive-alias', 'hostile', 'cfg.yaml', `${TINY_CONFIG_YAML}loop: &a [*a]\n`, /cfg\.yaml/),
    cfg('json-nested-100000', 'hostile', 'cfg.json', `{"seed": ${deepJson(100_000)}}`, /cfg\.json/),
    cfg('yaml-nested-10000', 'hostile', 'cfg.yaml', deepYaml(10_000), /cfg\.yaml/),
    cfg(
      'yaml-js-function-tag',
      'hostile',
      'cfg.yaml',
      `${TINY_CONFIG_YAML}comment: !!js/function "function () { return 1 }"\n`,
      /cfg\.yaml/,
    ),
    cfg(
      'json-proto-key',
      'hostile',
      'cfg.json',
      TINY_CONFIG_JSON.replace('{', '{"__proto__": {"polluted": true},'),
      /__proto__/,
    ),
    cfg('top-level-array', 'malformed', 'cfg.json', '[1, 2, 3]', /cfg\.json/),
    cfg(
      'unknown-key',
      'malformed',
      'cfg.yaml',
      TINY_CONFIG_YAML.replace('hidden:', 'hiden:'),
      /model\.hiden/,
    ),
    cfg('seed-hex-yaml', 'number', 'cfg.yaml', TINY_CONFIG_YAML.replace('seed: 1', 'seed: 0x10'), /seed/),
    cfg(
      'hidden-nan-yaml',
      'number',
      'cfg.yaml',
      TINY_CONFIG_YAML.replace('hidden: [2]', 'hidden: [.nan]'),
      /model\.hidden/,
    ),
    cfg(
      'max-epochs-1e400',
      'number',
      'cfg.json',
      TINY_CONFIG_JSON.replace('"maxEpochs":2', '"maxEpochs":1e400'),
      /stopping\.maxEpochs/,
    ),
    cfg(
      'hidden-1e9',
      'engine-message',
      'cfg.json',
      json((c) => (c.model.hidden = [1e9])),
      /model\.hidden/,
    ),
    cfg(
      'hidden-1e9-yaml',
      'engine-message',
      'cfg.yaml',
      TINY_CONFIG_YAML.replace('hidden: [2]', 'hidden: [1e9]'),
      /model\.hidden/,
    ),
    cfg(
      'count-1e12',
      'engine-message',
      'cfg.json',
      json((c) => (c.data.count = 1e12)),
      /data\.count/,
    ),
    cfg(
      'input-dim-1e9',
      'engine-message',
      'cfg.json',
      json((c) => (c.data.inputDim = 1e9)),
      /data\.inputDim/,
    ),
    cfg(
      'inline-x-empty',
      'engine-message',
      'cfg.json',
      json((c) => (c.data = { source: 'inline', x: [], y: [] })),
      /data\.x/,
    ),
    cfg(
      'inline-x-empty-rows',
      'silent',
      'cfg.json',
      json((c) => (c.data = { source: 'inline', x: [[], []], y: [1, -1] })),
      /data\.x/,
    ),
    cfg(
      'inline-ragged',
      'malformed',
      'cfg.json',
      json((c) => (c.data = { source: 'inline', x: [[1, 2], [3]], y: [1, -1] })),
      /data\.x\[1\]/,
    ),
    cfg(
      'output-result-empty',
      'path',
      'cfg.json',
      json((c) => (c.output = { result: '' })),
      /output\.result/,
    ),
    cfg(
      'file-source-missing-path',
      'path',
      'cfg.json',
      json((c) => (c.data = { source: 'file', path: 'nowhere.csv' })),
      /nowhere\.csv/,
    ),
    cfg(
      'file-source-dev-zero',
      'hang',
      'cfg.json',
      json((c) => (c.data = { source: 'file', path: '/dev/zero', format: 'csv' })),
      /\/dev\/zero/,
    ),
    kase('train/config/missing', 'path', train('--config', 'missing.yaml'), error(/missing\.yaml/)),
    kase('train/config/directory', 'path', train('--config', 'cfgdir'), error(/cfgdir/), [
      directory('cfgdir'),
    ]),
    kase('train/config/dev-zero', 'hang', train('--config', '/dev/zero'), error(/\/dev\/zero/)),
    kase('train/config/fifo', 'hang', train('--config', 'fifo.yaml'), error(/fifo\.yaml/), [
      { path: 'fifo.yaml', fifo: true },
    ]),
  ];
}

// ─── basin data inspect / prepare ─────────────────────────────────────────────────────────────────────────────────

function dataInspectCases(): FuzzCase[] {
  const inspect = (...args: string[]): string[] => ['data', 'inspect', ...args];
  const img = 'img/train-images-idx3-ubyte';
  const imgLabels = 'img/train-labels-idx1-ubyte';
  const withImages = (images: Buffer, labels: Buffer = idxLabels()): FuzzFile[] => [
    file(img, images),
    file(imgLabels, labels),
  ];
  const npy = (x: Buffer, y?: Buffer): FuzzFile[] => [
    file('x.npy', x),
    ...(y === undefined ? [] : [file('y.npy', y)]),
  ];
  const cases: FuzzCase[] = [
    // valid inputs of every format
    kase('data-inspect/valid-idx-dir', 'valid', inspect('img'), ok({ stdout: /12/ }), idxDirectory('img')),
    kase(
      'data-inspect/valid-idx-gz-dir-all',
      'valid',
      inspect('img', '--split', 'all', '--json'),
      ok({ stdout: /20/ }),
      idxDirectory('img', { gz: true, test: true }),
    ),
    kase(
      'data-inspect/valid-idx-grid',
      'valid',
      inspect('img', '--grid', 'grid.png', '--per-class', '2'),
      ok({ creates: ['grid.png'] }),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/valid-cifar-subdir',
      'valid',
      inspect('c', '--grid', 'g.png'),
      ok({ creates: ['g.png'] }),
      [1, 2, 3, 4, 5].map((k) => file(`c/cifar-10-batches-bin/data_batch_${k}.bin`, cifarBatch([k - 1, k]))),
    ),
    kase(
      'data-inspect/valid-npy',
      'valid',
      inspect('x.npy', '--labels', 'y.npy', '--shape', '4x4', '--layout', 'hw'),
      ok(),
      npy(npyFeatures(), npyLabels()),
    ),
    kase('data-inspect/valid-csv', 'valid', inspect('d.csv', '--json'), ok({ stdout: /12/ }), [
      file('d.csv', csv()),
    ]),
    kase('data-inspect/valid-csv-bom', 'valid', inspect('d.csv'), ok(), [file('d.csv', `\ufeff${csv()}`)]),
    kase('data-inspect/valid-newline-in-name', 'valid', inspect('a\nb.csv'), ok(), [file('a\nb.csv', csv())]),

    // IDX
    kase(
      'data-inspect/idx-header-65535x65535',
      'engine-message',
      inspect(img),
      error(/train-images/),
      withImages(idxHeader(0x08, [1, 65535, 65535]), idxLabels([0])),
    ),
    kase(
      'data-inspect/idx-header-4e9-images',
      'memory',
      inspect(img),
      error(/train-images/),
      withImages(idxHeader(0x08, [4294967295, 28, 28])),
    ),
    kase(
      'data-inspect/idx-truncated-body',
      'malformed',
      inspect(img),
      error(/train-images/),
      withImages(idxImages().subarray(0, 100)),
    ),
    kase(
      'data-inspect/idx-wrong-magic',
      'malformed',
      inspect(img),
      error(/train-images/),
      withImages(Buffer.concat([Buffer.from([0x1f, 0x00]), idxImages().subarray(2)])),
    ),
    kase(
      'data-inspect/idx-zero-images',
      'silent',
      inspect(img),
      error(/train-images|no samples|0 samples/),
      withImages(idxHeader(0x08, [0, 4, 4]), idxLabels([])),
    ),
    kase(
      'data-inspect/idx-count-mismatch',
      'malformed',
      inspect(img),
      error(/train-labels|train-images/),
      withImages(idxImages(), idxLabels([0, 1, 2])),
    ),
    kase(
      'data-inspect/idx-labels-int32-max',
      'memory',
      inspect(img),
      error(/train-labels|label|2147483647/),
      withImages(idxImages(), idxBytes(0x0c, [12], [...LABELS_WITH(2147483647)])),
    ),
    kase('data-inspect/idx-missing-labels', 'path', inspect(img), error(/label/), [file(img, idxImages())]),
    kase(
      'data-inspect/idx-gzip-bomb',
      'hostile',
      inspect('img/train-images-idx3-ubyte.gz'),
      error(/train-images/),
      [
        file('img/train-images-idx3-ubyte.gz', () => gzipBomb(idxImages())),
        file('img/train-labels-idx1-ubyte', idxLabels()),
      ],
    ),
    kase(
      'data-inspect/idx-gzip-bomb-huge-header',
      'hostile',
      inspect('img/train-images-idx3-ubyte.gz'),
      error(/train-images/),
      [
        file('img/train-images-idx3-ubyte.gz', () => gzipBomb(idxHeader(0x08, [60000, 65535, 65535]))),
        file('img/train-labels-idx1-ubyte', idxLabels()),
      ],
    ),
    kase('data-inspect/dir-without-data', 'path', inspect('empty'), error(/empty/), [
      directory('empty'),
      file('empty/readme.txt', 'nothing here\n'),
    ]),
    kase(
      'data-inspect/split-test-missing',
      'path',
      inspect('img', '--split', 'test'),
      error(/--split|t10k|test/),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/per-class-1e9',
      'memory',
      inspect('img', '--grid', 'g.png', '--per-class', '1000000000'),
      // --per-class is a most-per-row: rows are as long as the fullest class, so a huge value asks for nothing.
      ok({ creates: ['g.png'] }),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/per-class-hex',
      'number',
      inspect('img', '--grid', 'g.png', '--per-class', '0x8'),
      error(/--per-class/),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/zoom-1e6',
      'memory',
      inspect('img', '--grid', 'g.png', '--zoom', '1000000'),
      error(/--zoom|zoom/),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/per-class-without-grid',
      'silent',
      inspect('img', '--per-class', '3'),
      errorOrWarning(/--per-class|--grid/),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/grid-is-dataset-file',
      'clobber',
      inspect('img', '--grid', img),
      error(/--grid/),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/grid-is-input-other-spelling',
      'clobber',
      inspect('img', '--grid', './img/../img/train-images-idx3-ubyte'),
      error(/--grid/),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/grid-is-label-file',
      'clobber',
      inspect('img/train-images-idx3-ubyte', '--labels', 'lbl', '--grid', 'lbl'),
      error(/--grid/),
      [...idxDirectory('img'), file('lbl', idxLabels())],
    ),
    kase(
      'data-inspect/grid-is-directory',
      'path',
      inspect('img', '--grid', 'out.png'),
      error(/--grid|out\.png/),
      [...idxDirectory('img'), directory('out.png')],
    ),
    kase(
      'data-inspect/grid-in-proc',
      'path',
      inspect('img', '--grid', '/proc/basin-fuzz.png'),
      error(/--grid|\/proc/),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/shape-mismatch-idx',
      'silent',
      inspect('img', '--shape', '3x3'),
      error(/--shape/),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/layout-on-idx',
      'silent',
      inspect('img', '--layout', 'chw'),
      errorOrWarning(/--layout/),
      idxDirectory('img'),
    ),
    kase(
      'data-inspect/labels-too-few',
      'malformed',
      inspect(img, '--labels', 'few-labels'),
      error(/few-labels|label/),
      [...idxDirectory('img'), file('few-labels', idxLabels([0, 1]))],
    ),

    // special files and odd paths
    kase('data-inspect/dev-zero', 'hang', inspect('/dev/zero'), error(/\/dev\/zero/)),
    kase('data-inspect/dev-zero-csv', 'hang', inspect('/dev/zero', '--format', 'csv'), error(/\/dev\/zero/)),
    kase('data-inspect/dev-zero-npy', 'hang', inspect('/dev/zero', '--format', 'npy'), error(/\/dev\/zero/)),
    kase('data-inspect/fifo-csv', 'hang', inspect('fifo.csv'), error(/fifo\.csv/), [
      { path: 'fifo.csv', fifo: true },
    ]),
    kase('data-inspect/fifo-labels', 'hang', inspect('x.npy', '--labels', 'fifo.npy'), error(/fifo\.npy/), [
      ...npy(npyFeatures()),
      { path: 'fifo.npy', fifo: true },
    ]),
    kase('data-inspect/missing', 'path', inspect('nothing.csv'), error(/nothing\.csv/)),
    kase('data-inspect/directory-named-npy', 'path', inspect('x.npy'), error(/x\.npy/), [directory('x.npy')]),
    kase('data-inspect/symlink-loop', 'path', inspect('loop.csv'), error(/loop\.csv/), [
      { path: 'loop.csv', symlinkTo: 'loop.csv' },
    ]),
    kase('data-inspect/name-too-long', 'path', inspect(`${'y'.repeat(300)}.csv`), error(/y{20}|name/)),

    // CIFAR-10
    kase(
      'data-inspect/cifar-size-not-multiple',
      'malformed',
      inspect('data_batch_1.bin'),
      error(/data_batch_1/),
      [file('data_batch_1.bin', cifarBatch().subarray(0, 5000))],
    ),
    kase(
      'data-inspect/cifar-label-200',
      'malformed',
      inspect('data_batch_1.bin'),
      error(/data_batch_1|label/),
      [file('data_batch_1.bin', cifarBatch([0, 1, 200]))],
    ),
    kase('data-inspect/cifar-empty', 'silent', inspect('data_batch_1.bin'), error(/data_batch_1/), [
      file('data_batch_1.bin', Buffer.alloc(0)),
    ]),
    kase(
      'data-inspect/cifar-shape',
      'silent',
      inspect('data_batch_1.bin', '--shape', '28x28'),
      error(/--shape/),
      [file('data_batch_1.bin', cifarBatch())],
    ),
    kase(
      'data-inspect/cifar-split-test-missing',
      'path',
      inspect('c', '--split', 'test'),
      error(/test_batch|--split|test/),
      [file('c/data_batch_1.bin', cifarBatch())],
    ),

    // NPY
    kase(
      'data-inspect/npy-shape-1e12x784',
      'engine-message',
      inspect('x.npy'),
      error(/x\.npy/),
      npy(npyShape('(1000000000000, 784)')),
    ),
    kase(
      'data-inspect/npy-shape-1e9x1e9',
      'engine-message',
      inspect('x.npy'),
      error(/x\.npy/),
      npy(npyShape('(1000000000, 1000000000)', '|u1')),
    ),
    kase(
      'data-inspect/npy-shape-negative',
      'malformed',
      inspect('x.npy'),
      error(/x\.npy/),
      npy(npyShape('(-1, 4)')),
    ),
    kase(
      'data-inspect/npy-zero-samples',
      'silent',
      inspect('x.npy'),
      error(/x\.npy/),
      npy(npyShape('(0, 4)')),
    ),
    kase(
      'data-inspect/npy-zero-features',
      'silent',
      inspect('x.npy'),
      error(/x\.npy/),
      npy(npyShape('(4, 0)')),
    ),
    kase(
      'data-inspect/npy-object-dtype',
      'hostile',
      inspect('x.npy'),
      error(/x\.npy/),
      npy(npyShape('(2, 2)', '|O', Buffer.alloc(32))),
    ),
    kase(
      'data-inspect/npy-python-in-header',
      'hostile',
      inspect('x.npy'),
      error(/x\.npy/),
      npy(
        npyWithHeader(
          "{'descr': __import__('os').system('touch pwned'), 'fortran_order': False, 'shape': (2, 2), }",
          Buffer.alloc(32),
        ),
      ),
    ),
    kase(
      'data-inspect/npy-bad-magic',
      'malformed',
      inspect('x.npy'),
      error(/x\.npy/),
      npy(Buffer.concat([Buffer.from('\x93NUMPZ', 'latin1'), npyFeatures().subarray(6)])),
    ),
    kase(
      'data-inspect/npy-truncated-data',
      'malformed',
      inspect('x.npy'),
      error(/x\.npy/),
      npy(npyFeatures().subarray(0, npyFeatures().length - 5)),
    ),
    kase(
      'data-inspect/npy-nan-values',
      'silent',
      inspect('x.npy'),
      errorOrWarning(/x\.npy.*(NaN|finite)|(NaN|finite).*x\.npy/),
      npy(npyShapeValues([1, NaN, 3, 4])),
    ),
    kase(
      'data-inspect/npy-infinite-values',
      'silent',
      inspect('x.npy'),
      errorOrWarning(/x\.npy.*(Infinity|finite)|(Infinity|finite).*x\.npy/),
      npy(npyShapeValues([1, Infinity, 3, -Infinity])),
    ),
    kase(
      'data-inspect/npy-labels-int32-max',
      'memory',
      inspect('x.npy', '--labels', 'y.npy'),
      error(/y\.npy|label/),
      npy(npyFeatures(), npyLabels(LABELS_WITH(2147483647))),
    ),
    kase(
      'data-inspect/npy-labels-negative',
      'malformed',
      inspect('x.npy', '--labels', 'y.npy'),
      error(/y\.npy/),
      npy(npyFeatures(), npyLabels(LABELS_WITH(-1))),
    ),
    kase(
      'data-inspect/npy-labels-count-mismatch',
      'malformed',
      inspect('x.npy', '--labels', 'y.npy'),
      error(/y\.npy|label/),
      npy(npyFeatures(), npyLabels([0, 1, 2])),
    ),
    kase(
      'data-inspect/npy-shape-mismatch',
      'silent',
      inspect('x.npy', '--shape', '3x3'),
      error(/--shape/),
      npy(npyFeatures()),
    ),
    kase(
      'data-inspect/npy-shape-hexlike',
      'number',
      inspect('x.npy', '--shape', '0x16'),
      error(/--shape/),
      npy(npyFeatures()),
    ),
    kase(
      'data-inspect/npy-shape-huge',
      'memory',
      inspect('x.npy', '--shape', '65536x65536'),
      error(/--shape/),
      npy(npyFeatures()),
    ),
    kase(
      'data-inspect/npy-layout-chw-with-2d-shape',
      'malformed',
      inspect('x.npy', '--shape', '4x4', '--layout', 'chw'),
      error(/layout|--shape/),
      npy(npyFeatures()),
    ),
    kase(
      'data-inspect/npy-label-column',
      'silent',
      inspect('x.npy', '--label-column', 'y'),
      errorOrWarning(/--label-column/),
      npy(npyFeatures()),
    ),

    // CSV
    kase('data-inspect/csv-hex-cell', 'number', inspect('d.csv'), error(/d\.csv.*(0x10|line|column)/), [
      file('d.csv', csvWithCell(2, 1, '0x10')),
    ]),
    kase('data-inspect/csv-hex-label', 'number', inspect('d.csv'), error(/d\.csv.*(0x1|label)/), [
      file('d.csv', csvWithCell(2, 0, '0x1')),
    ]),
    kase('data-inspect/csv-empty-cell', 'number', inspect('d.csv'), error(/d\.csv/), [
      file('d.csv', csvWithCell(3, 2, '')),
    ]),
    kase(
      'data-inspect/csv-two-label-columns',
      'silent',
      inspect('d.csv'),
      error(/d\.csv.*label|label.*d\.csv/),
      [file('d.csv', csv(undefined, 'label,a,label,c,d'))],
    ),
    kase(
      'data-inspect/csv-duplicate-feature-columns',
      'silent',
      inspect('d.csv'),
      errorOrWarning(/d\.csv.*\ba\b/),
      [file('d.csv', csv(undefined, 'label,a,a,c,d'))],
    ),
    kase(
      'data-inspect/csv-label-column-missing',
      'malformed',
      inspect('d.csv', '--label-column', 'species'),
      error(/species/),
      [file('d.csv', csv())],
    ),
    kase('data-inspect/csv-header-only', 'silent', inspect('d.csv'), error(/d\.csv/), [
      file('d.csv', 'label,a,b\n'),
    ]),
    kase('data-inspect/csv-label-int32-max', 'memory', inspect('d.csv'), error(/d\.csv|label/), [
      file('d.csv', csvWithCell(0, 0, '2147483647')),
    ]),
    kase('data-inspect/csv-binary-garbage', 'malformed', inspect('d.csv'), error(/d\.csv/), [
      file('d.csv', Buffer.from(Array.from({ length: 4096 }, (_, k) => (k * 131) % 256))),
    ]),
    kase(
      'data-inspect/csv-shape-mismatch',
      'silent',
      inspect('d.csv', '--shape', '3x3'),
      error(/--shape|shape/i),
      [file('d.csv', csv())],
    ),
    kase(
      'data-inspect/csv-labels-flag',
      'silent',
      inspect('d.csv', '--labels', 'y.npy'),
      errorOrWarning(/--labels/),
      [file('d.csv', csv()), file('y.npy', npyLabels())],
    ),
    kase('data-inspect/csv-huge-line', 'hostile', inspect('d.csv'), error(/d\.csv/), [
      file('d.csv', () => `label,a\n0,${'9'.repeat(20 * 1024 * 1024)}\n`),
    ]),
  ];
  return cases;
}

function npyShapeValues(
  values: readonly number[],
  shape = `(${values.length / 2}, 2)`,
  descr = '<f8',
): Buffer {
  const size = Number(descr.slice(2));
  const body = Buffer.alloc(values.length * size);
  values.forEach((v, k) => {
    if (descr === '<f8') body.writeDoubleLE(v, k * 8);
    else body.writeBigInt64LE(BigInt(v), k * 8);
  });
  return npyShape(shape, descr, body);
}

/** The 12 standard labels with the first replaced by `value`. */
function LABELS_WITH(value: number): number[] {
  return [value, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3];
}

function dataPrepareCases(): FuzzCase[] {
  const prepare = (...args: string[]): string[] => ['data', 'prepare', ...args];
  const csvFile = [file('d.csv', csv())];
  return [
    kase(
      'data-prepare/valid-csv',
      'valid',
      prepare('d.csv', '--out', 'out'),
      ok({ creates: ['out/train/x.npy', 'out/train/y.npy'] }),
      csvFile,
    ),
    kase(
      'data-prepare/valid-idx-test-zca',
      'valid',
      prepare('img', '--out', 'out', '--test', '--whiten', 'zca', '--epsilon', '0.01'),
      ok({ creates: ['out/test/x.npy'] }),
      idxDirectory('img', { test: true }),
    ),
    kase(
      'data-prepare/valid-npy-subset',
      'valid',
      prepare(
        'x.npy',
        '--labels',
        'y.npy',
        '--out',
        'out',
        '--subset',
        '6',
        '--seed',
        '3',
        '--dtype',
        'float32',
      ),
      ok({ creates: ['out/train/x.npy'] }),
      [file('x.npy', npyFeatures()), file('y.npy', npyLabels())],
    ),
    kase(
      'data-prepare/valid-cifar-downsample',
      'valid',
      prepare('data_batch_1.bin', '--out', 'out', '--downsample', '4', '--binary', 'low-high:3'),
      ok({ creates: ['out/train/x.npy'] }),
      [file('data_batch_1.bin', cifarBatch())],
    ),
    kase(
      'data-prepare/out-in-proc',
      'hang',
      prepare('d.csv', '--out', '/proc/x'),
      error(/--out|\/proc\/x/),
      csvFile,
    ),
    kase(
      'data-prepare/out-under-a-file',
      'path',
      prepare('d.csv', '--out', 'd.csv/sub'),
      error(/--out|d\.csv/),
      csvFile,
    ),
    kase('data-prepare/out-is-a-file', 'path', prepare('d.csv', '--out', 'taken'), error(/--out|taken/), [
      ...csvFile,
      file('taken', 'a file\n'),
    ]),
    kase(
      'data-prepare/out-overwrites-input',
      'clobber',
      prepare('train/x.npy', '--labels', 'train/y.npy', '--out', '.'),
      error(/--out|x\.npy/),
      [file('train/x.npy', npyFeatures()), file('train/y.npy', npyLabels())],
    ),
    kase(
      'data-prepare/out-overwrites-input-idx',
      'clobber',
      prepare('in/train/x.npy', '--labels', 'in/train/y.npy', '--out', 'in'),
      error(/--out|x\.npy/),
      [file('in/train/x.npy', npyFeatures()), file('in/train/y.npy', npyLabels())],
    ),
    kase('data-prepare/out-missing', 'malformed', prepare('d.csv'), usage(/--out/), csvFile),
    kase(
      'data-prepare/components-without-whiten',
      'silent',
      prepare('d.csv', '--out', 'out', '--components', '2'),
      error(/--components/),
      csvFile,
    ),
    kase(
      'data-prepare/components-with-zca',
      'silent',
      prepare('d.csv', '--out', 'out', '--whiten', 'zca', '--components', '2'),
      error(/--components|components/),
      csvFile,
    ),
    kase(
      'data-prepare/epsilon-without-whiten',
      'silent',
      prepare('d.csv', '--out', 'out', '--epsilon', '0.1'),
      errorOrWarning(/--epsilon/),
      csvFile,
    ),
    kase(
      'data-prepare/components-above-features',
      'number',
      prepare('d.csv', '--out', 'out', '--whiten', 'pca', '--components', '1000'),
      error(/--components|components/),
      csvFile,
    ),
    kase(
      'data-prepare/whiten-epsilon-zero-rank-deficient',
      'malformed',
      prepare('d.csv', '--out', 'out', '--whiten', 'zca', '--epsilon', '0'),
      error(/epsilon/),
      [file('d.csv', 'label,a,b\n0,1,1\n1,2,2\n0,3,3\n1,4,4\n')],
    ),
    kase(
      'data-prepare/epsilon-hex',
      'number',
      prepare('d.csv', '--out', 'out', '--whiten', 'pca', '--epsilon', '0x1'),
      error(/--epsilon/),
      csvFile,
    ),
    kase(
      'data-prepare/binary-one-class',
      'silent',
      prepare('d.csv', '--out', 'out', '--binary', 'low-high:100'),
      error(/--binary|class/),
      csvFile,
    ),
    kase(
      'data-prepare/binary-same-class',
      'silent',
      prepare('d.csv', '--out', 'out', '--binary', 'pos:0/neg:0'),
      error(/--binary/),
      csvFile,
    ),
    kase(
      'data-prepare/binary-absent-classes',
      'silent',
      prepare('d.csv', '--out', 'out', '--binary', 'pos:98/neg:99'),
      error(/--binary/),
      csvFile,
    ),
    kase(
      'data-prepare/binary-parity-one-class',
      'silent',
      prepare('d.csv', '--out', 'out'),
      error(/--binary|class/),
      [file('d.csv', csv([0, 2, 4, 2, 0, 4]))],
    ),
    kase(
      'data-prepare/subset-1e9',
      'memory',
      prepare('d.csv', '--out', 'out', '--subset', '1000000000'),
      error(/--subset|subset/),
      csvFile,
    ),
    kase(
      'data-prepare/subset-hex',
      'number',
      prepare('d.csv', '--out', 'out', '--subset', '0x10'),
      error(/--subset/),
      csvFile,
    ),
    kase(
      'data-prepare/seed-without-subset',
      'silent',
      prepare('d.csv', '--out', 'out', '--seed', '5'),
      errorOrWarning(/--seed/),
      csvFile,
    ),
    kase(
      'data-prepare/downsample-not-divisor',
      'silent',
      prepare('img', '--out', 'out', '--downsample', '3'),
      error(/--downsample|downsample/),
      idxDirectory('img'),
    ),
    kase(
      'data-prepare/downsample-flat-csv',
      'silent',
      prepare('d.csv', '--out', 'out', '--downsample', '2'),
      error(/--downsample|downsample|--shape/),
      csvFile,
    ),
    kase(
      'data-prepare/test-without-test-split',
      'path',
      prepare('img', '--out', 'out', '--test'),
      error(/--test|t10k|test/),
      idxDirectory('img'),
    ),
    kase(
      'data-prepare/test-on-single-file',
      'silent',
      prepare('d.csv', '--out', 'out', '--test'),
      error(/--test/),
      csvFile,
    ),
    kase(
      'data-prepare/dev-zero-npy',
      'hang',
      prepare('/dev/zero', '--format', 'npy', '--out', 'out'),
      error(/\/dev\/zero/),
    ),
    kase('data-prepare/fifo', 'hang', prepare('fifo.csv', '--out', 'out'), error(/fifo\.csv/), [
      { path: 'fifo.csv', fifo: true },
    ]),
    kase('data-prepare/npy-shape-1e12', 'engine-message', prepare('x.npy', '--out', 'out'), error(/x\.npy/), [
      file('x.npy', npyShape('(1000000000000, 784)')),
    ]),
    kase(
      'data-prepare/csv-label-int32-max',
      'memory',
      prepare('d.csv', '--out', 'out'),
      error(/d\.csv|label/),
      [file('d.csv', csvWithCell(0, 0, '2147483647'))],
    ),
    kase(
      'data-prepare/standardise-zero-samples',
      'silent',
      prepare('x.npy', '--labels', 'y.npy', '--out', 'out', '--standardise'),
      error(/x\.npy|sample/),
      [file('x.npy', npyShape('(0, 4)')), file('y.npy', npyShape('(0,)', '<i8'))],
    ),
  ];
}

// ─── basin certify / search ───────────────────────────────────────────────────────────────────────────────────────

function certifyCases(): FuzzCase[] {
  const certify = (...args: string[]): string[] => ['certify', ...args];
  const weights = (edit: (w: Record<string, unknown>) => void): FuzzFile[] => [
    file('w.json', editedWeights(edit)),
  ];
  const result = (edit: (r: Record<string, unknown>) => void): FuzzFile[] => [
    file('result.json', editedResult(edit)),
    file('weights.json', (fx) => fx.weights),
  ];
  const fixtureFiles: FuzzFile[] = [
    file('result.json', (fx) => fx.trainResult),
    file('weights.json', (fx) => fx.weights),
  ];
  const arch = (w: Record<string, unknown>): Record<string, unknown> =>
    w.architecture as Record<string, unknown>;
  const layer = (w: Record<string, unknown>): Record<string, unknown> =>
    (arch(w).hidden as Record<string, unknown>[])[0];
  return [
    kase(
      'certify/valid-builtin',
      'valid',
      certify('--dataset', 'swirszcz-d1', '--point', 'local-min', '--probes', '0'),
      ok({ stdout: /local-min/ }),
    ),
    kase(
      'certify/valid-result-file',
      'valid',
      certify('result.json', '--probes', '0', '--out', 'cert.json', '--save-weights', 'polished.json'),
      ok({ creates: ['cert.json', 'polished.json'] }),
      fixtureFiles,
    ),
    kase(
      'certify/valid-weights-file',
      'valid',
      certify('weights.json', '--probes', '0', '--json'),
      ok(),
      fixtureFiles,
    ),
    kase(
      'certify/result-without-weightsFile',
      'engine-message',
      certify('result.json'),
      error(/weightsFile|result\.json/),
      result((r) => delete r.weightsFile),
    ),
    kase(
      'certify/result-weightsFile-null',
      'malformed',
      certify('result.json'),
      error(/result\.json/),
      result((r) => (r.weightsFile = null)),
    ),
    kase(
      'certify/result-weightsFile-missing',
      'path',
      certify('result.json'),
      error(/nothere\.json|result\.json/),
      result((r) => (r.weightsFile = 'nothere.json')),
    ),
    kase(
      'certify/result-weightsFile-is-itself',
      'malformed',
      certify('result.json'),
      error(/result\.json/),
      result((r) => (r.weightsFile = 'result.json')),
    ),
    kase('certify/result-weightsFile-directory', 'path', certify('result.json'), error(/wdir|result\.json/), [
      ...result((r) => (r.weightsFile = 'wdir')),
      directory('wdir'),
    ]),
    kase(
      'certify/result-weightsFile-dev-zero',
      'hang',
      certify('result.json'),
      error(/\/dev\/zero|result\.json/),
      result((r) => (r.weightsFile = '/dev/zero')),
    ),
    kase(
      'certify/result-version-99',
      'malformed',
      certify('result.json'),
      error(/result\.json.*version|version.*result\.json/),
      result((r) => (r.version = 99)),
    ),
    kase(
      'certify/result-data-count-1e12',
      'engine-message',
      certify('result.json'),
      // certify rebuilds the data from the weights file's provenance, never from the result's config copy.
      ok(),
      result(
        (r) =>
          ((r.config as Record<string, Record<string, unknown>>).data = {
            source: 'gaussian',
            count: 1e12,
            inputDim: 2,
          }),
      ),
    ),
    kase(
      'certify/weights-theta-short',
      'malformed',
      certify('w.json'),
      error(/theta/),
      weights((w) => (w.theta = [1, 2])),
    ),
    kase(
      'certify/weights-theta-null',
      'number',
      certify('w.json'),
      error(/theta/),
      weights((w) => ((w.theta as unknown[])[0] = null)),
    ),
    kase(
      'certify/weights-width-1e9',
      'memory',
      certify('w.json'),
      error(/width|hidden|theta|parameterCount/),
      weights((w) => (layer(w).width = 1e9)),
    ),
    kase(
      'certify/weights-input-dim-1e9',
      'memory',
      certify('w.json'),
      error(/inputDim|theta|parameterCount/),
      weights((w) => (arch(w).inputDim = 1e9)),
    ),
    kase(
      'certify/weights-100000-layers',
      'memory',
      certify('w.json'),
      error(/hidden|theta|parameterCount|w\.json/),
      weights(
        (w) =>
          (arch(w).hidden = Array.from({ length: 100000 }, () => ({
            width: 2,
            activation: 'relu',
            bias: true,
          }))),
      ),
    ),
    kase(
      'certify/weights-activation-leaky-empty',
      'silent',
      certify('w.json'),
      error(/activation/),
      weights((w) => (layer(w).activation = 'leaky-relu:')),
    ),
    kase(
      'certify/weights-provenance-count-1e12',
      'engine-message',
      certify('w.json'),
      error(/w\.json|count/),
      weights(
        (w) =>
          ((w.provenance as Record<string, Record<string, unknown>>).trainConfig = {
            ...(w.provenance as Record<string, Record<string, unknown>>).trainConfig,
            data: { source: 'gaussian', count: 1e12, inputDim: 2 },
          }),
      ),
    ),
    kase(
      'certify/weights-no-provenance',
      'malformed',
      certify('w.json'),
      error(/w\.json|--dataset|provenance/),
      weights((w) => delete w.provenance),
    ),
    kase('certify/weights-truncated', 'malformed', certify('w.json'), error(/w\.json/), [
      file('w.json', (fx) => fx.weights.slice(0, 80)),
    ]),
    kase('certify/weights-nested-100000', 'hostile', certify('w.json'), error(/w\.json/), [
      file('w.json', `{"format": "basin-weights", "provenance": ${deepJson(100_000)}}`),
    ]),
    kase(
      'certify/weights-duplicate-theta',
      'silent',
      certify('w.json'),
      error(/w\.json.*theta|theta.*duplicate|duplicate.*theta/i),
      [
        file('w.json', (fx) =>
          fx.weights.replace('"theta": [', '"theta": [0, 0, 0, 0, 0, 0, 0, 0, 0],\n  "theta": ['),
        ),
      ],
    ),
    kase('certify/file-is-directory', 'path', certify('wdir'), error(/wdir/), [directory('wdir')]),
    kase('certify/file-dev-zero', 'hang', certify('/dev/zero'), error(/\/dev\/zero/)),
    kase('certify/file-fifo', 'hang', certify('fifo.json'), error(/fifo\.json/), [
      { path: 'fifo.json', fifo: true },
    ]),
    kase(
      'certify/out-is-input',
      'clobber',
      certify('weights.json', '--probes', '0', '--out', 'weights.json'),
      error(/--out/),
      fixtureFiles,
    ),
    kase(
      'certify/save-weights-is-input',
      'clobber',
      certify('weights.json', '--probes', '0', '--save-weights', 'weights.json'),
      error(/--save-weights/),
      fixtureFiles,
    ),
    kase(
      'certify/save-weights-is-read-weights',
      'clobber',
      certify('result.json', '--probes', '0', '--save-weights', 'weights.json'),
      error(/--save-weights/),
      fixtureFiles,
    ),
    kase(
      'certify/out-same-as-save-weights',
      'clobber',
      certify(
        '--dataset',
        'xor',
        '--point',
        'saturated',
        '--hidden',
        '2',
        '--probes',
        '0',
        '--out',
        'x.json',
        '--save-weights',
        'x.json',
      ),
      error(/--out|--save-weights/),
    ),
    kase(
      'certify/out-in-proc',
      'path',
      certify(
        '--dataset',
        'swirszcz-d1',
        '--point',
        'local-min',
        '--probes',
        '0',
        '--out',
        '/proc/basin.json',
      ),
      error(/--out|\/proc/),
    ),
    kase(
      'certify/gradient-tolerance-hex',
      'number',
      certify('--dataset', 'swirszcz-d1', '--point', 'local-min', '--gradient-tolerance', '0x1'),
      error(/--gradient-tolerance/),
    ),
    kase(
      'certify/probes-1e12',
      'memory',
      certify('--dataset', 'swirszcz-d1', '--point', 'local-min', '--probes', '1000000000000'),
      error(/--probes/),
    ),
    kase('certify/nothing', 'malformed', certify(), error(/file|--dataset/)),
    kase(
      'certify/hidden-hex',
      'number',
      certify('--dataset', 'xor', '--point', 'saturated', '--hidden', '0x2'),
      error(/--hidden/),
    ),
    kase(
      'certify/hidden-huge',
      'memory',
      certify('--dataset', 'xor', '--point', 'saturated', '--hidden', '100000,100000'),
      error(/--hidden/),
    ),
    kase(
      'certify/seed-hex',
      'number',
      certify('--dataset', 'xor', '--point', 'saturated', '--hidden', '2', '--seed', '0x1'),
      error(/--seed/),
    ),
    kase(
      'certify/activation-leaky-empty',
      'silent',
      certify('--dataset', 'xor', '--point', 'saturated', '--hidden', '2', '--activation', 'leaky-relu:'),
      error(/--activation/),
    ),
    kase(
      'certify/file-and-dataset',
      'silent',
      certify('weights.json', '--dataset', 'xor'),
      // Certifying saved weights on a built-in dataset of the same dimensions is a documented use.
      ok(),
      fixtureFiles,
    ),
    kase(
      'certify/hidden-with-file',
      'silent',
      certify('weights.json', '--hidden', '3', '--probes', '0'),
      errorOrWarning(/--hidden/),
      fixtureFiles,
    ),
  ];
}

function searchCases(): FuzzCase[] {
  const search = (...args: string[]): string[] => ['search', '--dataset', 'xor', ...args];
  return [
    kase('search/valid', 'valid', search('--restarts', '2', '--retries', '0', '--probes', '0'), ok()),
    kase(
      'search/valid-out',
      'valid',
      search('--restarts', '2', '--retries', '0', '--probes', '0', '--out', 's.json'),
      ok({ creates: ['s.json'] }),
    ),
    kase('search/restarts-zero', 'number', search('--restarts', '0'), error(/--restarts|restarts/)),
    kase('search/restarts-hex', 'number', search('--restarts', '0x10'), error(/--restarts/)),
    kase('search/restarts-1e9', 'memory', search('--restarts', '1000000000'), error(/--restarts/)),
    kase('search/no-dataset', 'malformed', ['search', '--restarts', '2'], usage(/--dataset/)),
    kase(
      'search/hidden-huge',
      'memory',
      search('--restarts', '2', '--hidden', '1000000000'),
      error(/--hidden/),
    ),
    kase(
      'search/out-is-directory',
      'path',
      search('--restarts', '2', '--retries', '0', '--probes', '0', '--out', 'odir'),
      error(/--out|odir/),
      [directory('odir')],
    ),
    kase(
      'search/activation-leaky-empty',
      'silent',
      search('--restarts', '2', '--activation', 'leaky-relu:'),
      error(/--activation/),
    ),
  ];
}

// ─── basin sweep ──────────────────────────────────────────────────────────────────────────────────────────────────

function sweepCases(): FuzzCase[] {
  const run = (spec: string, ...args: string[]): string[] => [
    'sweep',
    'run',
    spec,
    '--store',
    's.duckdb',
    // one worker unless the case is about --workers: fewer threads to start on a loaded machine
    ...(args.includes('--workers') ? [] : ['--workers', '1']),
    ...args,
  ];
  const spec = (
    id: string,
    fuzzClass: FuzzClass,
    content: string,
    pattern: RegExp,
    name = 'spec.json',
  ): FuzzCase => kase(`sweep-run/${id}`, fuzzClass, run(name), error(pattern), [file(name, content)]);
  return [
    kase('sweep-run/valid', 'valid', run('tiny.yaml'), ok({ creates: ['s.duckdb'] }), [
      file('tiny.yaml', TINY_SWEEP),
    ]),
    kase(
      'sweep-run/valid-resume-stored',
      'valid',
      ['sweep', 'run', 'tiny.yaml', '--store', 'store.duckdb', '--workers', '1'],
      ok(),
      [file('tiny.yaml', TINY_SWEEP), file('store.duckdb', (fx) => fx.store)],
    ),
    spec('repetitions-1e9', 'memory', sweepSpec({}, { repetitions: 1e9 }), /repetitions/),
    spec('width-1e9', 'silent', sweepSpec({ width: 1e9 }), /width/),
    spec(
      'grid-width-1e9',
      'silent',
      JSON.stringify({ ...JSON.parse(sweepSpec()), grid: { width: [2, 1e9] } }),
      /grid\.width|width/,
    ),
    spec('N-1e12', 'memory', sweepSpec({ dataset: 'gaussian', N: 1e12, d0: 2 }), /\bN\b/),
    spec('d0-1e9', 'memory', sweepSpec({ dataset: 'gaussian', N: 8, d0: 1e9 }), /d0/),
    spec('depth-1e6', 'memory', sweepSpec({ depth: 1e6 }), /depth/),
    spec(
      'learning-rate-hex-yaml',
      'number',
      TINY_SWEEP.replace('learningRate: 0.01', 'learningRate: 0x10'),
      /learningRate/,
      'spec.yaml',
    ),
    spec(
      'learning-rate-nan-yaml',
      'number',
      TINY_SWEEP.replace('learningRate: 0.01', 'learningRate: .nan'),
      /learningRate/,
      'spec.yaml',
    ),
    spec('activation-leaky-empty', 'silent', sweepSpec({ activation: 'leaky-relu:' }), /activation/),
    spec(
      'grid-unknown-axis',
      'malformed',
      JSON.stringify({ ...JSON.parse(sweepSpec()), grid: { colour: [1, 2] } }),
      /grid\.colour/,
    ),
    spec(
      'learning-rate-missing',
      'malformed',
      TINY_SWEEP.replace(', learningRate: 0.01', ''),
      /learningRate/,
      'spec.yaml',
    ),
    spec('name-sql', 'hostile', sweepSpec({}, { name: "x'; DROP TABLE sweeps; --" }), /name/),
    spec('name-path', 'hostile', sweepSpec({}, { name: '../../etc/passwd' }), /name/),
    spec(
      'json-duplicate-key',
      'silent',
      sweepSpec().replace('"repetitions":1', '"repetitions":1,"repetitions":2'),
      /repetitions|duplicate/i,
    ),
    spec('yaml-alias-bomb', 'hostile', `${TINY_SWEEP}${yamlAliasBomb('notes')}`, /spec\.yaml/, 'spec.yaml'),
    spec('json-nested-100000', 'hostile', `{"name": "x", "base": ${deepJson(100_000)}}`, /spec\.json/),
    kase('sweep-run/spec-missing', 'path', run('nothing.yaml'), error(/nothing\.yaml/)),
    kase('sweep-run/spec-dev-zero', 'hang', run('/dev/zero'), error(/\/dev\/zero/)),
    kase('sweep-run/spec-fifo', 'hang', run('fifo.yaml'), error(/fifo\.yaml/), [
      { path: 'fifo.yaml', fifo: true },
    ]),
    kase(
      'sweep-run/store-is-spec',
      'clobber',
      ['sweep', 'run', 'tiny.yaml', '--store', 'tiny.yaml', '--workers', '1'],
      error(/--store|tiny\.yaml/),
      [file('tiny.yaml', TINY_SWEEP)],
    ),
    kase(
      'sweep-run/store-is-directory',
      'path',
      ['sweep', 'run', 'tiny.yaml', '--store', 'sdir', '--workers', '1'],
      error(/--store|sdir/),
      [file('tiny.yaml', TINY_SWEEP), directory('sdir')],
    ),
    kase(
      'sweep-run/store-is-garbage',
      'malformed',
      ['sweep', 'run', 'tiny.yaml', '--store', 'garbage.duckdb', '--workers', '1'],
      error(/garbage\.duckdb/),
      [
        file('tiny.yaml', TINY_SWEEP),
        file('garbage.duckdb', Buffer.from(Array.from({ length: 8192 }, (_, k) => (k * 97) % 256))),
      ],
    ),
    kase(
      'sweep-run/store-in-proc',
      'path',
      ['sweep', 'run', 'tiny.yaml', '--store', '/proc/basin.duckdb', '--workers', '1'],
      error(/--store|\/proc/),
      [file('tiny.yaml', TINY_SWEEP)],
    ),
    kase(
      'sweep-run/store-changed-spec',
      'malformed',
      ['sweep', 'run', 'tiny.yaml', '--store', 'store.duckdb', '--workers', '1'],
      error(/tiny/),
      [
        file(
          'tiny.yaml',
          TINY_SWEEP.replace('repetitions: 2', 'repetitions: 2\nkeepWeights: true').replace(
            'epochs: 2',
            'epochs: 3',
          ),
        ),
        file('store.duckdb', (fx) => fx.store),
      ],
    ),
    kase('sweep-run/workers-zero', 'number', run('tiny.yaml', '--workers', '0'), error(/--workers/), [
      file('tiny.yaml', TINY_SWEEP),
    ]),
    kase('sweep-run/workers-hex', 'number', run('tiny.yaml', '--workers', '0x2'), error(/--workers/), [
      file('tiny.yaml', TINY_SWEEP),
    ]),
    kase(
      'sweep-run/workers-1e6',
      'memory',
      run('tiny.yaml', '--workers', '1000000'),
      errorOrWarning(/--workers/),
      [file('tiny.yaml', TINY_SWEEP)],
    ),
    kase(
      'sweep-run/queue-not-redis',
      'malformed',
      ['sweep', 'run', 'tiny.yaml', '--store', 's.duckdb', '--queue', 'http://localhost:6379'],
      error(/--queue/),
      [file('tiny.yaml', TINY_SWEEP)],
    ),
    kase(
      'sweep-run/queue-unreachable',
      'hang',
      ['sweep', 'run', 'tiny.yaml', '--store', 's.duckdb', '--queue', 'redis://127.0.0.1:1'],
      error(/--queue|127\.0\.0\.1:1|redis/),
      [file('tiny.yaml', TINY_SWEEP)],
    ),
    kase(
      'sweep-replay/valid',
      'valid',
      ['sweep', 'replay', 'tiny.yaml', '--cell', '0', '--repetition', '1'],
      ok({ stdout: /\{/ }),
      [file('tiny.yaml', TINY_SWEEP)],
    ),
    kase(
      'sweep-replay/cell-out-of-range',
      'number',
      ['sweep', 'replay', 'tiny.yaml', '--cell', '99', '--repetition', '0'],
      error(/--cell/),
      [file('tiny.yaml', TINY_SWEEP)],
    ),
    kase(
      'sweep-replay/repetition-out-of-range',
      'number',
      ['sweep', 'replay', 'tiny.yaml', '--cell', '0', '--repetition', '5'],
      error(/--repetition/),
      [file('tiny.yaml', TINY_SWEEP)],
    ),
    kase(
      'sweep-replay/repetition-1e12',
      'number',
      ['sweep', 'replay', 'tiny.yaml', '--cell', '0', '--repetition', '1e12'],
      error(/--repetition/),
      [file('tiny.yaml', TINY_SWEEP)],
    ),
    kase('sweep-init/valid', 'valid', ['sweep', 'init', 'new.yaml'], ok({ creates: ['new.yaml'] })),
    kase('sweep-init/exists', 'clobber', ['sweep', 'init', 'mine.yaml'], error(/mine\.yaml|--force/), [
      file('mine.yaml', TINY_SWEEP),
    ]),
    kase('sweep-init/directory', 'path', ['sweep', 'init', 'idir', '--force'], error(/idir/), [
      directory('idir'),
    ]),
    kase('sweep-init/in-proc', 'path', ['sweep', 'init', '/proc/basin.yaml'], error(/\/proc/)),
  ];
}

// ─── basin results / report ───────────────────────────────────────────────────────────────────────────────────────

function storeCases(): FuzzCase[] {
  const store: FuzzFile[] = [file('store.duckdb', (fx) => fx.store)];
  return [
    kase('results/valid', 'valid', ['results', 'store.duckdb'], ok({ stdout: /tiny/ }), store),
    kase(
      'results/valid-sweep',
      'valid',
      ['results', 'store.duckdb', '--sweep', 'tiny'],
      ok({ stdout: /tiny|cell/ }),
      store,
    ),
    kase(
      'results/valid-export-csv',
      'valid',
      ['results', 'store.duckdb', '--export', 'out', '--format', 'csv'],
      ok({ creates: ['out'] }),
      store,
    ),
    kase('results/missing-store', 'silent', ['results', 'missing.duckdb'], error(/missing\.duckdb/)),
    kase(
      'results/sweep-unknown',
      'malformed',
      ['results', 'store.duckdb', '--sweep', 'nope'],
      error(/nope/),
      store,
    ),
    kase('results/garbage-store', 'malformed', ['results', 'garbage.duckdb'], error(/garbage\.duckdb/), [
      file('garbage.duckdb', Buffer.from(Array.from({ length: 8192 }, (_, k) => (k * 97) % 256))),
    ]),
    kase('results/directory-as-store', 'path', ['results', 'sdir'], error(/sdir/), [directory('sdir')]),
    kase('results/dev-zero-as-store', 'hang', ['results', '/dev/zero'], error(/\/dev\/zero/)),
    kase('results/fifo-as-store', 'hang', ['results', 'fifo.duckdb'], error(/fifo\.duckdb/), [
      { path: 'fifo.duckdb', fifo: true },
    ]),
    kase(
      'results/bad-spec-json',
      'engine-message',
      ['results', 'store.duckdb'],
      error(/store\.duckdb|tiny|spec/),
      [file('store.duckdb', (fx) => fx.storeBadSpecJson)],
    ),
    kase(
      'results/bad-extra-json',
      'engine-message',
      ['results', 'store.duckdb'],
      error(/store\.duckdb|tiny|extra/),
      [file('store.duckdb', (fx) => fx.storeBadExtraJson)],
    ),
    kase(
      'results/export-is-store',
      'clobber',
      ['results', 'store.duckdb', '--export', 'store.duckdb'],
      error(/--export/),
      store,
    ),
    kase(
      'results/export-is-a-file',
      'path',
      ['results', 'store.duckdb', '--export', 'taken.txt'],
      error(/--export|taken\.txt/),
      [...store, file('taken.txt', 'x\n')],
    ),
    kase(
      'results/export-in-proc',
      'path',
      ['results', 'store.duckdb', '--export', '/proc/basin-export'],
      error(/--export|\/proc/),
      store,
    ),
    kase(
      'results/format-without-export',
      'silent',
      ['results', 'store.duckdb', '--format', 'csv'],
      errorOrWarning(/--format|--export/),
      store,
    ),
    kase(
      'report/valid',
      'valid',
      ['report', 'store.duckdb', '--out', 'rep'],
      ok({ creates: ['rep/report.html'] }),
      store,
    ),
    kase(
      'report/sweep-unknown',
      'silent',
      ['report', 'store.duckdb', '--out', 'rep', '--sweep', 'nope'],
      error(/nope/),
      store,
    ),
    kase(
      'report/missing-store',
      'silent',
      ['report', 'missing.duckdb', '--out', 'rep'],
      error(/missing\.duckdb/),
    ),
    kase(
      'report/out-is-store',
      'clobber',
      ['report', 'store.duckdb', '--out', 'store.duckdb'],
      error(/--out/),
      store,
    ),
    kase(
      'report/out-is-a-file',
      'path',
      ['report', 'store.duckdb', '--out', 'taken.txt'],
      error(/--out|taken\.txt/),
      [...store, file('taken.txt', 'x\n')],
    ),
    kase(
      'report/out-in-proc',
      'path',
      ['report', 'store.duckdb', '--out', '/proc/basin-report'],
      error(/--out|\/proc/),
      store,
    ),
    kase(
      'report/bad-spec-json',
      'engine-message',
      ['report', 'store.duckdb', '--out', 'rep'],
      error(/store\.duckdb|tiny|spec/),
      [file('store.duckdb', (fx) => fx.storeBadSpecJson)],
    ),
    kase(
      'report/bad-extra-json',
      'engine-message',
      ['report', 'store.duckdb', '--out', 'rep'],
      error(/store\.duckdb|tiny|extra/),
      [file('store.duckdb', (fx) => fx.storeBadExtraJson)],
    ),
  ];
}

// ─── basin reproduce ──────────────────────────────────────────────────────────────────────────────────────────────

function reproduceCases(): FuzzCase[] {
  const fig52 = (...args: string[]): string[] => ['reproduce', 'fig5.2', ...args];
  const kr = (...args: string[]): string[] => ['reproduce', 'khatri-rao', ...args];
  const mnist = idxDirectory('mn', { test: true });
  return [
    kase(
      'reproduce-fig5.2/valid-tiny',
      'valid',
      fig52('--d', '5', '--repeats', '1', '--hold-epochs', '2', '--decay-epochs', '2', '--out', 'f.json'),
      ok({ creates: ['f.json'] }),
    ),
    kase('reproduce-fig5.2/d-hex', 'number', fig52('--d', '0x10'), error(/--d\b/)),
    kase('reproduce-fig5.2/d-empty', 'number', fig52('--d', ''), error(/--d\b/)),
    kase('reproduce-fig5.2/d-1e6', 'memory', fig52('--d', '1000000', '--repeats', '1'), error(/--d\b/)),
    kase(
      'reproduce-fig5.2/d-1-zero-samples',
      'silent',
      fig52('--d', '1', '--repeats', '1', '--hold-epochs', '1', '--decay-epochs', '1'),
      error(/--d\b/),
    ),
    kase(
      'reproduce-fig5.2/repeats-1e9',
      'memory',
      fig52('--d', '5', '--repeats', '1000000000'),
      error(/--repeats/),
    ),
    kase('reproduce-fig5.2/store-without-sweep', 'silent', fig52('--store', 'x.duckdb'), error(/--store/)),
    kase(
      'reproduce-fig5.2/out-in-proc-fails-fast',
      'path',
      fig52(
        '--d',
        '5',
        '--repeats',
        '1',
        '--hold-epochs',
        '2',
        '--decay-epochs',
        '2',
        '--out',
        '/proc/basin.json',
      ),
      error(/--out|\/proc/),
    ),
    kase(
      'reproduce-fig5.2/out-is-directory',
      'path',
      fig52('--d', '5', '--repeats', '1', '--hold-epochs', '2', '--decay-epochs', '2', '--out', 'odir'),
      error(/--out|odir/),
      [directory('odir')],
    ),
    kase(
      'reproduce-khatri-rao/valid-tiny',
      'valid',
      kr('--quick', '--draws', '2', '--out', 'k.json'),
      ok({ creates: ['k.json'] }),
    ),
    kase('reproduce-khatri-rao/draws-1e12', 'memory', kr('--draws', '1000000000000'), error(/--draws/)),
    kase('reproduce-khatri-rao/rho-hex', 'number', kr('--draws', '2', '--rho', '0x1'), error(/--rho/)),
    kase(
      'reproduce-fig5.1/workers-zero',
      'number',
      ['reproduce', 'fig5.1', '--quick', '--workers', '0'],
      error(/--workers/),
    ),
    kase(
      'reproduce-fig5.1/store-is-directory',
      'path',
      ['reproduce', 'fig5.1', '--quick', '--store', 'sdir'],
      error(/--store|sdir/),
      [directory('sdir')],
    ),
    kase(
      'reproduce-jellyfish/workers-hex',
      'number',
      ['reproduce', 'jellyfish', '--quick', '--workers', '0x2'],
      error(/--workers/),
    ),
    kase(
      'reproduce-soudry-carmon/store-in-proc',
      'path',
      ['reproduce', 'soudry-carmon', '--quick', '--store', '/proc/basin.duckdb'],
      error(/--store|\/proc/),
    ),
    kase(
      'reproduce-blind-spot/out-is-store',
      'clobber',
      ['reproduce', 'blind-spot', '--quick', '--store', 'r.duckdb', '--out', 'r.duckdb'],
      error(/--out|--store/),
    ),
    kase(
      'reproduce-blind-spot/out-is-existing-store',
      'clobber',
      ['reproduce', 'blind-spot', '--quick', '--store', 'other.duckdb', '--out', 'store.duckdb'],
      error(/--out|store\.duckdb/),
      [file('store.duckdb', (fx) => fx.store)],
    ),
    kase(
      'reproduce/quick-workers-zero',
      'number',
      ['reproduce', '--quick', '--workers', '0'],
      error(/--workers/),
    ),
    kase(
      'reproduce/quick-out-is-store',
      'clobber',
      ['reproduce', '--quick', '--store', 'q.duckdb', '--out', 'q.duckdb'],
      error(/--out|--store/),
    ),
    kase('reproduce/unknown-preset', 'malformed', ['reproduce', 'fig9.9'], usage(/fig9\.9/)),
    kase(
      'reproduce-table1/data-empty-dir',
      'path',
      ['reproduce', 'table1', '--data', 'empty', '--rows', 'mnist'],
      error(/empty|--data|mnist/i, { progress: true }),
      [directory('empty')],
    ),
    kase(
      'reproduce-table1/mnist-missing',
      'path',
      ['reproduce', 'table1', '--mnist', 'nosuch', '--rows', 'mnist'],
      error(/nosuch/, { progress: true }),
    ),
    kase(
      'reproduce-table1/max-epochs-zero',
      'number',
      ['reproduce', 'table1', '--mnist', 'mn', '--rows', 'mnist', '--max-epochs', '0'],
      error(/--max-epochs/),
      mnist,
    ),
    kase(
      'reproduce-table1/subset-hex',
      'number',
      ['reproduce', 'table1', '--mnist', 'mn', '--rows', 'mnist', '--subset', '0x10'],
      error(/--subset/),
      mnist,
    ),
    kase(
      'reproduce-table1/wrong-image-size',
      'silent',
      ['reproduce', 'table1', '--mnist', 'mn', '--rows', 'mnist', '--max-epochs', '1', '--no-certify'],
      { errorOrWarning: /mn|28|784/, progress: true },
      mnist,
    ),
    kase(
      'reproduce-table1/out-is-input',
      'clobber',
      [
        'reproduce',
        'table1',
        '--mnist',
        'mn',
        '--rows',
        'mnist',
        '--max-epochs',
        '1',
        '--no-certify',
        '--out',
        'mn/train-images-idx3-ubyte',
      ],
      error(/--out/, { progress: true }),
      mnist,
    ),
    kase(
      'reproduce-table1/cache-is-a-file',
      'path',
      [
        'reproduce',
        'table1',
        '--mnist',
        'mn',
        '--rows',
        'mnist',
        '--max-epochs',
        '1',
        '--no-certify',
        '--cache',
        'c.txt',
      ],
      error(/--cache|c\.txt/, { progress: true }),
      [...mnist, file('c.txt', 'x\n')],
    ),
  ];
}

// ─── basin serve / worker / the command line itself ───────────────────────────────────────────────────────────────

function serviceCases(): FuzzCase[] {
  // A valid `serve` or `worker` runs until stopped, so these cases are refusals only; a bad value that is accepted
  // shows up as a run past the (short) bound.
  const serve = (...args: string[]): string[] => ['serve', ...args];
  const worker = (...args: string[]): string[] => ['worker', ...args];
  const bound = 20_000;
  return [
    kase('serve/port-hex', 'number', serve('--port', '0x50'), error(/--port/), [], bound),
    kase('serve/port-empty', 'number', serve('--port', ''), error(/--port/), [], bound),
    kase('serve/port-fraction', 'number', serve('--port', '80.5'), error(/--port/), [], bound),
    kase('serve/port-spaces', 'number', serve('--port', ' 8080 '), error(/--port/), [], bound),
    kase(
      'serve/host-invalid',
      'malformed',
      serve('--port', '0', '--host', '999.1.1.1'),
      error(/--host|999\.1\.1\.1/),
      [],
      bound,
    ),
    kase('serve/host-empty', 'malformed', serve('--port', '0', '--host', ''), error(/--host/), [], bound),
    kase('worker/no-queue', 'malformed', worker(), usage(/--queue/), [], bound),
    kase(
      'worker/queue-http',
      'malformed',
      worker('--queue', 'http://localhost:6379'),
      error(/--queue/),
      [],
      bound,
    ),
    kase('worker/queue-garbage', 'malformed', worker('--queue', 'redis://:@'), error(/--queue/), [], bound),
    kase(
      'worker/queue-unreachable',
      'hang',
      worker('--queue', 'redis://127.0.0.1:1'),
      error(/--queue|127\.0\.0\.1:1|redis/),
      [],
      bound,
    ),
    kase(
      'worker/threads-zero',
      'number',
      worker('--queue', 'redis://127.0.0.1:1', '--threads', '0'),
      error(/--threads/),
      [],
      bound,
    ),
    kase(
      'worker/stalled-check-zero',
      'number',
      worker('--queue', 'redis://127.0.0.1:1', '--stalled-check-seconds', '0'),
      error(/--stalled-check-seconds/),
      [],
      bound,
    ),
    kase('cli/unknown-command', 'malformed', ['frobnicate'], usage(/frobnicate/)),
    kase('cli/unknown-flag', 'malformed', train('--frobnicate'), usage(/--frobnicate/)),
    kase('cli/flag-missing-value', 'malformed', train('--samples'), usage(/--samples/)),
  ];
}

// ─── basin landscape path / graph, and their records in basin report ──────────────────────────────────────────────

function landscapeCases(): FuzzCase[] {
  const quick = ['--dataset', 'xor', '--restarts', '2', '--retries', '0', '--probes', '0'];
  const graph = (...args: string[]): string[] => ['landscape', 'graph', ...quick, ...args];
  const path = (...args: string[]): string[] => ['landscape', 'path', ...quick, ...args];
  const brokenPath = JSON.stringify({ kind: 'basin-landscape-path', version: 1 });
  return [
    kase(
      'landscape-graph/valid',
      'valid',
      graph('--max-iterations', '20', '--out', 'g.json', '--figure', 'g.svg'),
      ok({ creates: ['g.json', 'g.svg'] }),
    ),
    kase('landscape-graph/figure-extension', 'path', graph('--figure', 'g.txt'), error(/--figure/)),
    kase(
      'landscape-graph/figure-is-directory',
      'path',
      graph('--figure', 'gdir.svg'),
      error(/--figure|gdir/),
      [directory('gdir.svg')],
    ),
    kase(
      'landscape-graph/out-is-figure',
      'clobber',
      graph('--out', 'g.svg', '--figure', 'g.svg'),
      error(/--out|--figure/),
    ),
    kase('landscape-graph/max-pairs-hex', 'number', graph('--max-pairs', '0x10'), error(/--max-pairs/)),
    kase('landscape-graph/max-pairs-1e12', 'memory', graph('--max-pairs', '1e12'), error(/--max-pairs/)),
    kase('landscape-graph/nearest-zero', 'number', graph('--nearest', '0'), error(/--nearest/)),
    kase('landscape-graph/images-zero', 'number', graph('--images', '0'), error(/--images/)),
    kase(
      'landscape-path/from-search-negative',
      'malformed',
      path('--from', 'search:-1', '--to', 'search:0'),
      error(/--from/),
    ),
    kase(
      'landscape-path/to-search-absent',
      'silent',
      path('--from', 'search:0', '--to', 'search:50'),
      error(/--to/),
    ),
    kase(
      'landscape-path/from-dev-zero',
      'hang',
      path('--from', '/dev/zero', '--to', 'search:0'),
      error(/\/dev\/zero/),
    ),
    kase('landscape-path/from-directory', 'path', path('--from', 'wdir', '--to', 'search:0'), error(/wdir/), [
      directory('wdir'),
    ]),
    kase(
      'landscape-path/from-not-weights',
      'malformed',
      path('--from', 'w.json', '--to', 'search:0'),
      error(/w\.json/),
      [file('w.json', '{"format": "basin-weights"}')],
    ),
    kase(
      'report/landscape-dev-zero',
      'hang',
      ['report', '--landscape', '/dev/zero', '--out', 'rep'],
      error(/\/dev\/zero/),
    ),
    kase(
      'report/landscape-broken',
      'malformed',
      ['report', '--landscape', 'p.json', '--out', 'rep'],
      error(/p\.json: problem/),
      [file('p.json', brokenPath)],
    ),
    kase(
      'report/landscape-empty-item',
      'malformed',
      ['report', '--landscape', 'a.json,,b.json'],
      error(/--landscape/),
    ),
    kase('report/no-store-no-landscape', 'malformed', ['report'], error(/<store>/)),
    ...volumeCases(),
  ];
}

function volumeCases(): FuzzCase[] {
  const volume = (...args: string[]): string[] => ['landscape', 'volume', ...args];
  return [
    kase(
      'landscape-volume/valid',
      'valid',
      volume('--sizes', '4:2:2', '--draws', '20', '--out', 'v.json', '--figure', 'v.svg'),
      ok({ creates: ['v.json', 'v.svg'] }),
    ),
    kase('landscape-volume/sizes-two-numbers', 'malformed', volume('--sizes', '4:2'), error(/--sizes/)),
    kase('landscape-volume/sizes-exponent', 'number', volume('--sizes', '1e9:2:2'), error(/--sizes/)),
    kase(
      'landscape-volume/sizes-huge',
      'memory',
      volume('--sizes', '100000:1000:1000', '--max-entries', '1e15', '--draws', '1'),
      error(/--sizes.*BASIN_MAX_MEMORY/),
    ),
    kase('landscape-volume/draws-hex', 'number', volume('--draws', '0x10'), error(/--draws/)),
    kase('landscape-volume/epsilon-one', 'number', volume('--epsilon', '1'), error(/--epsilon/)),
    kase('landscape-volume/slope-one', 'number', volume('--slope', '1'), error(/--slope/)),
    kase('landscape-volume/figure-extension', 'path', volume('--figure', 'v.txt'), error(/--figure/)),
  ];
}

/** The whole corpus, in a fixed order (ids are unique; the test checks). */
export function fuzzCorpus(): FuzzCase[] {
  return [
    ...trainFlagCases(),
    ...trainOutputCases(),
    ...trainConfigCases(),
    ...dataInspectCases(),
    ...dataPrepareCases(),
    ...certifyCases(),
    ...searchCases(),
    ...landscapeCases(),
    ...sweepCases(),
    ...storeCases(),
    ...reproduceCases(),
    ...serviceCases(),
  ];
}
