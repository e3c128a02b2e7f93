import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The version of basin that produced a result: the package version, plus the git commit (and `+dirty` when the work
 * tree has changes) when basin runs from a git checkout. Stored with every sweep and run, and printed in reports.
 */
export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const root = packageRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
  let commit = '';
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short=12', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    commit = `+${head}${dirty ? '.dirty' : ''}`;
  } catch {
    // Not a git checkout (an installed package): the package version alone identifies the code.
  }
  cached = `${version}${commit}`;
  return cached;
}

/** The folder of basin's package.json, found upwards from this module (src/ under tsx, dist/src/ when built). */
export function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('basin: cannot find its package.json');
    directory = parent;
  }
  return directory;
}
