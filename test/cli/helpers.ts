import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requiredOrSkip } from '../support/required.js';

export const repositoryRoot = resolve(import.meta.dirname, '../..');
const launcher = join(repositoryRoot, 'bin/basin.js');

/**
 * The CLI tests run the real `basin` launcher on the compiled library. `npm test` builds first; when run alone
 * before any build, compile once here (tsc still emits when another module has a type error, so ignore its code).
 */
export function ensureBuilt(): void {
  if (existsSync(join(repositoryRoot, 'dist/src/cli/commands/train.js'))) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repositoryRoot, stdio: 'ignore' });
  } catch {
    // see above
  }
  if (!existsSync(join(repositoryRoot, 'dist/src/cli/commands/train.js'))) {
    throw new Error('dist/ has no basin CLI: run `npm run build` first');
  }
}

/**
 * For tests that run the real launcher but should not build: `false` when dist/ holds the CLI, else the reason
 * to skip (node:test prints it next to the skipped test; a failure under CI=true, where `npm test` has built it).
 */
export const cliSkip: string | false = requiredOrSkip(
  existsSync(join(repositoryRoot, 'dist/src/cli/main.js'))
    ? false
    : 'dist/ is not built: run `npm run build` first',
);

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function basin(args: readonly string[], cwd: string): CliResult {
  const result = spawnSync(process.execPath, [launcher, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `basin-${prefix}-`));
}

/** A failed command: exit status 1, exactly one line on stderr that matches, and no stack trace. */
export function assertOneLineError(args: string[], cwd: string, pattern: RegExp): void {
  const result = basin(args, cwd);
  assert.equal(result.status, 1, `exit status for ${args.join(' ')}: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}
