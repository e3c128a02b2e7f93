/**
 * The shape of one fuzz case. A case is data (command line, files, expected outcome); test/fuzz/corpus.ts generates
 * them and test/fuzz/runner.ts runs them, each in its own bounded `basin` process.
 */

/** What a case probes; the classes of issue 16 plus the everyday ones. */
export const FUZZ_CLASSES = {
  memory:
    'declared sizes that would need huge allocations (network widths, sample counts, headers, repetitions)',
  'engine-message': 'inputs that used to reach the JavaScript engine and came back as its raw message',
  hang: 'inputs that could read or spin forever (special files, unreachable services)',
  clobber: 'outputs that name an input of the same command, or each other',
  silent: 'ambiguous or meaningless input that used to be accepted without a word',
  number: 'number syntax: hex, empty text, half-written numbers, NaN, Infinity, out-of-range values',
  malformed: 'truncated files, wrong magic numbers, wrong versions, missing or mistyped fields',
  hostile: 'YAML alias bombs, deep nesting, gzip bombs, code or SQL in names and headers',
  path: 'directories where files are expected, missing files, special files, unwritable targets, odd names',
  valid: 'valid runs on tiny inputs, which must keep working',
} as const;

export type FuzzClass = keyof typeof FUZZ_CLASSES;

/** Shared files that basin itself writes once per corpus run (see buildFixtures in runner.ts). */
export interface Fixtures {
  /** A basin-train-result file (xor, 2-2-1 ReLU with biases) whose weightsFile is "weights.json". */
  readonly trainResult: string;
  /** The basin-weights file of that run. */
  readonly weights: string;
  /** A DuckDB result store holding one finished sweep named "tiny". */
  readonly store: Buffer;
  /** The same store with the sweep's spec_json replaced by text that is not JSON. */
  readonly storeBadSpecJson: Buffer;
  /** The same store with every results.extra_json replaced by text that is not JSON. */
  readonly storeBadExtraJson: Buffer;
}

export type FileContent = string | Buffer | ((fixtures: Fixtures) => string | Buffer);

/** A file the case creates in its own directory before running; `path` is relative to that directory. */
export type FuzzFile =
  | { readonly path: string; readonly content: FileContent }
  | { readonly path: string; readonly directory: true }
  | { readonly path: string; readonly fifo: true }
  | { readonly path: string; readonly symlinkTo: string };

/**
 * The outcome a case must have. Every expectation is the desired behaviour (issue 16), not what basin does today.
 * - `error`: exit status 1, exactly one stderr line, starting `basin: ` and matching the pattern (which names the
 *   flag, field or file at fault), and no stack trace.
 *   With `progress`, lines before that one are allowed when they are the command's own progress output (a long
 *   command such as `reproduce table1` says what it is doing on stderr), not Node warnings or stack traces.
 * - `usage`: commander's own usage error (unknown flag, missing argument): exit status 2 and a matching stderr.
 * - `ok`: exit status 0, no stack trace, stdout matching `stdout` and the files of `creates` present afterwards.
 * - `errorOrWarning`: ambiguous input where refusing and warning are both acceptable: either an `error` as above, or
 *   exit status 0 with a stderr line `basin: warning…` matching the pattern.
 */
export type Expectation =
  | { readonly error: RegExp; readonly progress?: true }
  | { readonly usage: RegExp }
  | { readonly ok: true; readonly stdout?: RegExp; readonly creates?: readonly string[] }
  | { readonly errorOrWarning: RegExp; readonly progress?: true };

export interface FuzzCase {
  /** Unique, stable, readable: `<command>/<what>`. */
  readonly id: string;
  readonly class: FuzzClass;
  /** The basin command the case exercises, e.g. `train`, `data inspect` (for the summary). */
  readonly command: string;
  /** The arguments after `basin`, relative paths resolved in the case's own directory. */
  readonly args: readonly string[];
  readonly files?: readonly FuzzFile[];
  readonly expect: Expectation;
  /** Wall-time bound; the default is the runner's. */
  readonly timeoutMs?: number;
}
