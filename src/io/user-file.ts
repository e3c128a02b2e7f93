import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/** The text of a file the user named; one-line {@link fileReadError} when it cannot be read. */
export function readUserFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fileReadError(path, what, error);
  }
}

/** {@link readUserFile} without blocking. */
export async function readUserFileAsync(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw fileReadError(path, what, error);
  }
}
