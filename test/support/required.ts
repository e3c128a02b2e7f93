import type { TestContext } from 'node:test';

/*
 * The one place where a test that needs something from outside the repository (a Python oracle, ONNX Runtime, a
 * WebGPU adapter, Chromium, Redis, a Debian data set, the built CLI) decides between skipping and failing. On a
 * developer's machine a missing tool skips the test with the reason printed next to it; with CI=true (.ci/run sets
 * it, and CI runs it with CI=true) the same absence fails the test, so a CI machine that lost a package cannot go
 * green by skipping the checks that need it. docs/testing.md lists what CI=true changes.
 */

/** True when the environment says CI=true: every tool a test needs must then be present. */
export const TOOLS_REQUIRED = process.env.CI === 'true';

/** The failure a missing tool becomes under CI=true; its message says what is missing and how to get it. */
export class MissingToolError extends Error {
  constructor(missing: string) {
    super(`CI=true: a test needs what is missing here, so it fails instead of skipping: ${missing}`);
    this.name = 'MissingToolError';
  }
}

/**
 * The `skip` option of a test, suite or file that needs a tool: `false` when `missing` is undefined or false (the tool
 * is there); otherwise, off CI, `missing` itself (node:test prints it beside each skipped test), and under CI=true a
 * thrown MissingToolError, which fails the test, suite or file that asked.
 */
export function requiredOrSkip(missing: string | false | undefined): string | false {
  if (missing === undefined || missing === false) return false;
  if (TOOLS_REQUIRED) throw new MissingToolError(missing);
  return missing;
}

/**
 * For a test that learns only while it runs that a tool is missing: returns false when `missing` is undefined or
 * false; otherwise skips `t` with the reason and returns true (the caller returns), or under CI=true throws
 * MissingToolError, failing `t`.
 */
export function skippedForMissing(t: TestContext, missing: string | false | undefined): boolean {
  const skip = requiredOrSkip(missing);
  if (skip === false) return false;
  t.skip(skip);
  return true;
}
