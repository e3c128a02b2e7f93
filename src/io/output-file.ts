import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FileFormatError, InvalidArgumentError } from '../core/errors.js';
import { describeFileSystemError } from './user-file.js';

/*
 * Every file a command writes goes through here, for two promises:
 *   - an interrupted write never leaves half a file: the bytes go to a temporary file beside the target, which is
 *     renamed over it only when complete (a rename within a directory is atomic on POSIX file systems);
 *   - a command never writes over one of its own inputs, or one output over another: `requireSeparateFiles` compares
 *     real paths (symbolic links and `a/../a` resolved) before any work starts.
 * Targets that are not regular files (a device such as /dev/null, a directory) are refused rather than replaced.
 */

/** A file a command names, with the flag or argument that named it, for errors. */
export interface NamedFile {
  readonly path: string;
  /** The flag or argument that named it: `--out`, `--weights`, `output.result`, `<config>`. */
  readonly argument: string;
}

/** The path with every existing part resolved: the real path of the file, or of its directory when it is new. */
export function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(canonicalPath(parent), basename(absolute));
  }
}

/**
 * Refuses, naming both arguments, when an output is one of the inputs or two outputs are the same file. Call it
 * before the command does its work, so a clash costs nothing.
 */
export function requireSeparateFiles(inputs: readonly NamedFile[], outputs: readonly NamedFile[]): void {
  const seen = new Map<string, NamedFile>();
  for (const input of inputs) seen.set(canonicalPath(input.path), input);
  const inputCount = seen.size;
  for (const output of outputs) {
    const path = canonicalPath(output.path);
    const other = seen.get(path);
    if (other !== undefined) {
      const role = [...seen.keys()].indexOf(path) < inputCount ? 'an input' : 'another output';
      throw new InvalidArgumentError(
        output.argument,
        `a file other than ${other.argument} (${role} of this command), which also names ${output.path}`,
      );
    }
    seen.set(path, output);
  }
}

/**
 * Checks that `path` can be written before long work starts: its directory exists (or is created) and the target,
 * if it exists, is a regular file. The error names `argument`.
 */
export function requireWritableTarget(path: string, argument: string): void {
  const problem = targetProblem(path);
  if (problem !== undefined)
    throw new InvalidArgumentError(argument, `a file basin can write (${problem})`, path);
}

function targetProblem(path: string): string | undefined {
  return existingTargetProblem(path) ?? directoryProblem(dirname(resolve(path)));
}

/** Why an existing `path` may not be replaced (a directory, a device), or undefined when it is absent or a file. */
function existingTargetProblem(path: string): string | undefined {
  try {
    const stats = lstatSync(path);
    if (stats.isDirectory()) return 'it is a directory';
    if (!stats.isFile() && !stats.isSymbolicLink()) return 'it exists and is not a regular file';
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') return describeFileSystemError(error);
  }
  return undefined;
}

/**
 * `mkdir -p`: creates `directory` and its missing parents, one level at a time from the deepest existing one.
 * Node's own `mkdirSync(path, { recursive: true })` never returns for a path under /proc (it retries the failing
 * level forever, measured on Node 20.20), so it is not used on a path a user named.
 */
export function makeDirectory(directory: string): void {
  const absolute = resolve(directory);
  const missing: string[] = [];
  let path = absolute;
  for (;;) {
    try {
      if (!lstatSync(path).isDirectory() && !statIsDirectory(path)) {
        throw Object.assign(new Error(`${path} is not a directory`), { code: 'ENOTDIR' });
      }
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
      missing.push(path);
      const parent = dirname(path);
      if (parent === path) break;
      path = parent;
    }
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
  }
}

function statIsDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Why files cannot be created in `directory` (creating it when missing), or undefined when they can. */
function directoryProblem(directory: string): string | undefined {
  try {
    makeDirectory(directory);
  } catch (error) {
    return `cannot create the directory ${directory}: ${describeFileSystemError(error)}`;
  }
  const probe = join(directory, `.basin-write-test-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
    return undefined;
  } catch (error) {
    return `cannot create files in ${directory}: ${describeFileSystemError(error)}`;
  }
}

/**
 * Checks that `directory` can hold a command's outputs (creating it when missing); the error names `argument`.
 */
export function requireWritableDirectory(directory: string, argument: string): void {
  try {
    if (!lstatSync(directory).isDirectory()) {
      throw new InvalidArgumentError(argument, 'a directory (it names an existing file)', directory);
    }
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
  }
  const problem = directoryProblem(resolve(directory));
  if (problem !== undefined)
    throw new InvalidArgumentError(argument, `a directory basin can write (${problem})`, directory);
}

/**
 * Writes `data` to `path` whole or not at all: into a temporary file beside it, flushed, then renamed over the
 * target. A failure is a one-line error naming the file and `what`.
 */
export function writeOutputFile(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
  what: string,
): void {
  // No probe file here (requireWritableTarget makes one, before a command's work): creating the temporary file
  // below is that probe, and its failure is reported the same way.
  const problem = existingTargetProblem(path);
  if (problem !== undefined) throw new FileFormatError(path, `cannot write ${what} (${problem})`);
  const temporary = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`);
  try {
    makeDirectory(dirname(resolve(path)));
    const descriptor = openSync(temporary, 'w');
    try {
      const pieces =
        typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
      for (const bytes of pieces) {
        let written = 0;
        while (written < bytes.length)
          written += writeSync(descriptor, bytes, written, bytes.length - written);
      }
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new FileFormatError(path, `cannot write ${what} (${describeFileSystemError(error)})`);
  }
}
