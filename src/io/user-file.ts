import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { FileFormatError } from '../core/errors.js';

/*
 * The one place where a file the user named and basin cannot read becomes an error: every reader says
 * `<path>: cannot read <what> (ENOENT: no such file)`, and `basin` prints it as one line.
 */

/** The system error codes a user meets when naming a file, in words. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'a directory, not a file',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
};

/** Why the file system refused, for the parenthesis: `ENOENT: no such file`, a bare code, or the message. */
export function describeFileSystemError(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string' && code !== '') {
    const reason = REASONS[code];
    return reason === undefined ? code : `${code}: ${reason}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The error for `path` that cannot be read as `what` ("the weights file", "the sweep spec"):
 * `<path>: cannot read <what> (ENOENT: no such file)`.
 */
export function fileReadError(path: string, what: string, error: unknown): FileFormatError {
  return new FileFormatError(path, `cannot read ${what} (${describeFileSystemError(error)})`);
}

/**
 * The most bytes of a text file (config, sweep spec, weights, result) read whole: 256 MiB, below V8's longest string
 * (2^29 − 24 characters), which would otherwise end the read with an engine message instead of this file's name.
 */
export const MAX_TEXT_FILE_BYTES = 256 * 2 ** 20;

/**
 * Why `stats` is no file basin can read to its end, or undefined when it is one. Devices never end (`/dev/zero`);
 * opening a named pipe waits, without limit, for a writer that may never come, and sockets cannot be opened at all;
 * so only regular files are read (write a pipe's content to a file first).
 */
export function specialFileProblem(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isFIFO()) return 'a named pipe, not a regular file; save its content to a file first';
  if (stats.isDirectory()) return 'EISDIR: a directory, not a file';
  if (stats.isCharacterDevice()) return 'a character device, not a regular file';
  if (stats.isBlockDevice()) return 'a block device, not a regular file';
  if (stats.isSocket()) return 'a socket, not a regular file';
  return 'not a regular file';
}

/** The FileFormatError for a special file (see {@link specialFileProblem}). */
export function specialFileError(path: string, what: string, problem: string): FileFormatError {
  return new FileFormatError(path, `cannot read ${what} (${problem})`);
}

/**
 * The text of a file the user named; one-line {@link fileReadError} when it cannot be read, and a refusal for
 * devices and for files over {@link MAX_TEXT_FILE_BYTES} (also those a pipe delivers) rather than an endless read.
 */
export function readUserFile(path: string, what: string): string {
  let descriptor: number;
  try {
    // Checked before opening: opening a named pipe blocks until a writer comes.
    const problem = specialFileProblem(statSync(path));
    if (problem !== undefined) throw specialFileError(path, what, problem);
    descriptor = openSync(path, 'r');
  } catch (error) {
    throw error instanceof FileFormatError ? error : fileReadError(path, what, error);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(1 << 20);
      const read = readSync(descriptor, chunk, 0, chunk.length, null);
      if (read === 0) break;
      total += read;
      if (total > MAX_TEXT_FILE_BYTES) throw tooLargeError(path, what);
      chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (error) {
    throw error instanceof FileFormatError ? error : fileReadError(path, what, error);
  } finally {
    closeSync(descriptor);
  }
}

function tooLargeError(path: string, what: string): FileFormatError {
  return new FileFormatError(
    path,
    `cannot read ${what} (larger than the ${MAX_TEXT_FILE_BYTES / 2 ** 20} MiB a text file may have)`,
  );
}

/**
 * {@link readUserFile} as a promise, for async callers. The read itself is synchronous: the files read this way
 * (provenance records) are a few kilobytes, and one reading path keeps the special-file and size rules in one place.
 */
export function readUserFileAsync(path: string, what: string): Promise<string> {
  try {
    return Promise.resolve(readUserFile(path, what));
  } catch (error) {
    return Promise.reject(error as Error);
  }
}
