import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Command, type Option } from 'commander';
import { parseBackendRequest } from '../../src/backend/select.js';
import {
  choiceListOption,
  choiceOption,
  choiceParser,
  describeChoices,
  flagName,
  flagOption,
  listParser,
  numberListOption,
  numberOption,
  numberParser,
  parseDecimal,
} from '../../src/cli/flags.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  integerAtLeast,
  nonNegativeInteger,
  positive,
  positiveInteger,
  seed32,
  unitInterval,
} from '../../src/io/schema-primitives.js';
import { assertOneLineError, basin, ensureBuilt, temporaryDirectory } from './helpers.js';

/** Parses `args` with a throwaway command holding `options`; resolves to the parsed options. */
async function parse(options: Option[], ...args: string[]): Promise<Record<string, unknown>> {
  const command = new Command('try').exitOverride().configureOutput({ writeErr: () => undefined });
  for (const option of options) command.addOption(option);
  command.action(() => undefined);
  await command.parseAsync(args, { from: 'user' });
  return command.opts();
}

/** The error `parser` throws for `text`, checked to be basin's one-line kind. */
function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof InvalidArgumentError, `not an InvalidArgumentError: ${String(error)}`);
    return error.message;
  }
  assert.fail('no error');
}

describe('parseDecimal', () => {
  it('reads plain decimal notation, with or without an exponent', () => {
    const cases: [string, number][] = [
      ['12', 12],
      ['-3', -3],
      ['+4', 4],
      ['0.5', 0.5],
      ['.5', 0.5],
      ['3.', 3],
      ['1e-3', 1e-3],
      ['2.5E+4', 25000],
      ['010', 10],
    ];
    for (const [text, value] of cases) assert.equal(parseDecimal(text), value, text);
    assert.ok(Object.is(parseDecimal('-0'), 0));
  });

  it('refuses what Number() takes without a word: empty text, hex/octal/binary, Infinity, padding', () => {
    for (const text of ['', ' ', '0x10', '0X1f', '0o7', '0b1', 'Infinity', '-Infinity', ' 1', '1 ', '\t2']) {
      assert.equal(parseDecimal(text), undefined, JSON.stringify(text));
    }
  });

  it('refuses what is not a number at all', () => {
    for (const text of ['1e', 'e3', '.', '-', '1.2.3', '1,5', '1_000', 'NaN', 'x', '--1', '1e+', '5s']) {
      assert.equal(parseDecimal(text), undefined, JSON.stringify(text));
    }
  });
});

describe('numberParser', () => {
  const epochs = numberParser(nonNegativeInteger);

  it('returns the number the schema accepts', () => {
    assert.equal(epochs('40', '--epochs'), 40);
    assert.equal(epochs('1e3', '--epochs'), 1000);
    assert.equal(numberParser(unitInterval)('0.25', '--beta1'), 0.25);
  });

  it('names the flag, what it expected and the text it got', () => {
    assert.equal(
      errorOf(() => epochs('x', '--epochs')),
      '--epochs: expected an integer ≥ 0, got "x"',
    );
    assert.equal(
      errorOf(() => epochs('-1', '--epochs')),
      '--epochs: expected an integer ≥ 0, got "-1"',
    );
    assert.equal(
      errorOf(() => epochs('1.5', '--epochs')),
      '--epochs: expected an integer ≥ 0, got "1.5"',
    );
    assert.equal(
      errorOf(() => numberParser(unitInterval)('1', '--beta2')),
      '--beta2: expected a number in [0, 1), got "1"',
    );
    assert.equal(
      errorOf(() => numberParser(positive)('0', '--lr')),
      '--lr: expected a number > 0, got "0"',
    );
    assert.equal(
      errorOf(() => numberParser(seed32)('4294967296', '--seed')),
      '--seed: expected an integer in [0, 4294967295], got "4294967296"',
    );
  });

  it('refuses hex, empty text and a dangling exponent, which Number() reads as 16, 0 and NaN', () => {
    assert.equal(
      errorOf(() => epochs('0x10', '--epochs')),
      '--epochs: expected an integer ≥ 0, got "0x10"',
    );
    assert.equal(
      errorOf(() => epochs('', '--epochs')),
      '--epochs: expected an integer ≥ 0, got ""',
    );
    assert.equal(
      errorOf(() => numberParser(positive)('1e', '--lr')),
      '--lr: expected a finite number, got "1e"',
    );
    assert.equal(
      errorOf(() => numberParser(positive)('1e400', '--lr')),
      '--lr: expected a finite number, got "1e400"',
    );
  });
});

describe('lists and choices', () => {
  const widths = listParser(numberParser(positiveInteger));

  it('splits a comma-separated list and parses every item, spaces around items allowed', () => {
    assert.deepEqual(widths('16,8', '--hidden'), [16, 8]);
    assert.deepEqual(widths('32', '--hidden'), [32]);
    assert.deepEqual(widths(' 4 , 2 ', '--hidden'), [4, 2]);
  });

  it('names the flag and the item at fault; an empty item is refused', () => {
    assert.equal(
      errorOf(() => widths('16,0', '--hidden')),
      '--hidden: expected an integer ≥ 1, got "0"',
    );
    assert.equal(
      errorOf(() => widths('16,,8', '--hidden')),
      '--hidden: expected an integer ≥ 1, got ""',
    );
    assert.equal(
      errorOf(() => widths('', '--hidden')),
      '--hidden: expected an integer ≥ 1, got ""',
    );
    assert.equal(
      errorOf(() => widths('0x10', '--hidden')),
      '--hidden: expected an integer ≥ 1, got "0x10"',
    );
  });

  it('takes one of the choices, exactly as written, and lists them when it is not', () => {
    const dtype = choiceParser(['float32', 'float64'] as const);
    assert.equal(dtype('float32', '--dtype'), 'float32');
    assert.equal(
      errorOf(() => dtype('Float32', '--dtype')),
      '--dtype: expected float32 or float64, got "Float32"',
    );
    assert.equal(
      errorOf(() => choiceParser(['gd', 'sgd', 'adam'])('rmsprop', '--optimiser')),
      '--optimiser: expected one of gd, sgd, adam, got "rmsprop"',
    );
    assert.equal(describeChoices(['a', 'b']), 'a or b');
    assert.equal(describeChoices(['a', 'b', 'c']), 'one of a, b, c');
  });
});

describe('options on a commander command', () => {
  it('hands the action parsed values, and typed defaults when a flag is absent', async () => {
    const options = [
      numberOption('--epochs <n>', 'epochs', nonNegativeInteger, 100),
      numberOption('--lr <rate>', 'learning rate', positive),
      numberListOption('--rho <list>', 'slopes', integerAtLeast(0), [0, 1]),
      choiceOption('--dtype <dtype>', 'storage', ['float32', 'float64'], 'float64'),
      choiceListOption('--rows <list>', 'rows', ['a', 'b', 'c']),
      flagOption('--backend <name>', 'engine', parseBackendRequest, 'auto'),
    ];
    assert.deepEqual(await parse(options), { epochs: 100, rho: [0, 1], dtype: 'float64', backend: 'auto' });
    assert.deepEqual(
      await parse(
        options,
        '--epochs',
        '7',
        '--lr',
        '1e-2',
        '--rho',
        '2,3',
        '--dtype',
        'float32',
        '--rows',
        'c,a',
        '--backend',
        'reference',
      ),
      { epochs: 7, lr: 0.01, rho: [2, 3], dtype: 'float32', rows: ['c', 'a'], backend: 'reference' },
    );
  });

  it("stops with basin's error naming the flag, not commander's usage error", async () => {
    await assert.rejects(
      parse([numberOption('-e, --epochs <n>', 'epochs', nonNegativeInteger)], '-e', '0x10'),
      (error: unknown) =>
        error instanceof InvalidArgumentError &&
        error.message === '--epochs: expected an integer ≥ 0, got "0x10"',
    );
    await assert.rejects(
      parse([choiceOption('--dtype <dtype>', 'storage', ['float32', 'float64'])], '--dtype', 'half'),
      (error: unknown) =>
        error instanceof InvalidArgumentError &&
        error.message === '--dtype: expected float32 or float64, got "half"',
    );
    await assert.rejects(
      parse([choiceListOption('--rows <list>', 'rows', ['a', 'b', 'c'])], '--rows', 'a,d'),
      /^InvalidArgumentError: --rows: expected one of a, b, c, got "d"$/,
    );
    await assert.rejects(
      parse([flagOption('--backend <name>', 'engine', parseBackendRequest)], '--backend', 'gpu'),
      /^InvalidArgumentError: --backend: expected one of auto, reference, onnx, got "gpu"$/,
    );
  });

  it('names a flag by its long form and shows choices and defaults in help', () => {
    const samples = numberOption('-n, --samples <N>', 'samples', positiveInteger);
    assert.equal(flagName(samples), '--samples');
    const command = new Command('try')
      .addOption(choiceOption('--dtype <dtype>', 'storage', ['float32', 'float64'], 'float64'))
      .addOption(numberListOption('--rho <list>', 'slopes', integerAtLeast(0), [0, 1]))
      .addOption(numberOption('--epochs <n>', 'epochs', nonNegativeInteger, 100));
    const help = command.helpInformation();
    assert.match(help, /--dtype <dtype>\s+storage \(choices: "float32", "float64", default: "float64"\)/);
    assert.match(help, /--rho <list>\s+slopes \(default: 0,1\)/);
    assert.match(help, /--epochs <n>\s+epochs \(default: 100\)/);
  });
});

describe('typed flags through the real launcher', () => {
  it('refuses a hex number in one line, exit status 1', () => {
    ensureBuilt();
    const cwd = temporaryDirectory('flags');
    assertOneLineError(
      ['search', '--dataset', 'xor', '--restarts', '0x10'],
      cwd,
      /^basin: --restarts: expected an integer in \[0, 1000000\], got "0x10"$/,
    );
    assertOneLineError(
      ['reproduce', 'khatri-rao', '--rho', '0,'],
      cwd,
      /^basin: --rho: expected a finite slope ρ ≠ 1, got ""$/,
    );
    assertOneLineError(
      ['serve', '--port', ''],
      cwd,
      /^basin: --port: expected an integer in \[0, 65535\], got ""$/,
    );
    // Regression: `--workers 1000000` was accepted, one thread (and heap) per worker.
    assertOneLineError(
      ['sweep', 'run', 'spec.yaml', '--workers', '1000000'],
      cwd,
      /^basin: --workers: expected an integer in \[1, 256\], got "1000000"$/,
    );
    // Regression: Node binds every interface for an empty host, so `--host ""` shared the explorer.
    assertOneLineError(
      ['serve', '--port', '0', '--host', ''],
      cwd,
      /^basin: --host: expected a host name or address such as 127\.0\.0\.1 \(0\.0\.0\.0 for every interface\), got ""$/,
    );
  });
});

describe('basin reproduce: refusals before any run', () => {
  // Regression: commander answered "too many arguments for 'reproduce'", not naming the preset at fault.
  it('names an unknown preset and lists the known ones, as a usage error (exit status 2)', () => {
    const result = basin(['reproduce', 'fig9.9'], temporaryDirectory('flags'));
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^error: unknown preset 'fig9\.9' for 'reproduce' \(one of .*fig5\.1.*\)$/m);
  });

  // Regression: the sweeps ran for minutes, then the report failed (or the store was turned into a directory).
  it('refuses a report directory that is the store, naming --out', () => {
    const cwd = temporaryDirectory('flags');
    for (const preset of [['blind-spot'], []]) {
      assertOneLineError(
        ['reproduce', ...preset, '--quick', '--store', 'r.duckdb', '--out', 'r.duckdb'],
        cwd,
        /^basin: --out: expected a file other than --store \(an input of this command\), which also names r\.duckdb$/,
      );
    }
    writeFileSync(join(cwd, 'store.duckdb'), '');
    assertOneLineError(
      ['reproduce', 'blind-spot', '--quick', '--store', 'other.duckdb', '--out', 'store.duckdb'],
      cwd,
      /^basin: --out: expected a directory \(it names an existing file\), got "store\.duckdb"$/,
    );
  });

  // Regression: an empty --data directory printed a table of skipped rows (exit 0), and --out replaced an input.
  it('basin reproduce table1 refuses an empty --data directory and an --out that is an input file', () => {
    const cwd = temporaryDirectory('flags');
    mkdirSync(join(cwd, 'empty'));
    assertOneLineError(
      ['reproduce', 'table1', '--data', 'empty', '--rows', 'mnist'],
      cwd,
      /^basin: --data: expected a directory holding the data of --rows mnist \(MNIST IDX files .*\), got "empty"$/,
    );
    mkdirSync(join(cwd, 'mn'));
    writeFileSync(join(cwd, 'mn', 'train-images-idx3-ubyte'), 'pixels');
    assertOneLineError(
      ['reproduce', 'table1', '--mnist', 'mn', '--rows', 'mnist', '--out', 'mn/train-images-idx3-ubyte'],
      cwd,
      /^basin: --out: expected a file other than --mnist \(train-images-idx3-ubyte\) \(an input of this command\)/,
    );
    assert.equal(readFileSync(join(cwd, 'mn', 'train-images-idx3-ubyte'), 'utf8'), 'pixels');
  });
});
