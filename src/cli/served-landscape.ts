import { basename, resolve } from 'node:path';
import { BasinError } from '../core/errors.js';
import { parseLandscapeRecord } from '../landscape/record-file.js';
import { readUserFile } from '../io/user-file.js';

/*
 * What `basin serve --landscape` offers the explorer's "Between minima" tab at `api/landscape`: the JSON record that
 * `basin landscape graph|path` wrote, checked before the server listens and read again on every request (so a record
 * written anew shows on reload). The page checks it again with the same parser, as it does an uploaded file.
 */

export interface ServedLandscape {
  readonly path: string;
  /** What the page names it by: the file's name. */
  readonly source: string;
}

const WHAT = 'landscape record';

/** Checks `--landscape` up front: a readable file holding a valid record, or one line naming the flag. */
export function checkServedLandscape(given: string | undefined): ServedLandscape | undefined {
  if (given === undefined) return undefined;
  const path = resolve(given);
  try {
    parseLandscapeRecord(readUserFile(given, WHAT), given);
  } catch (error) {
    if (error instanceof BasinError) throw new BasinError(`--landscape: ${error.message}`);
    throw error;
  }
  return { path, source: basename(path) };
}

/** The record's text as it is now. */
export function readServedLandscape(landscape: ServedLandscape): string {
  return readUserFile(landscape.path, WHAT);
}
