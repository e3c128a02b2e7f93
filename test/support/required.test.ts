import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

/*
 * requiredOrSkip and skippedForMissing decide every skip for a missing tool: a test file that uses them runs in a
 * child process with and without CI=true, and must skip (exit 0) on a developer's machine but fail under CI.
 */

const root = resolve(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'basin-required-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const helper = pathToFileURL(join(root, 'test/support/required.ts')).href;
const fixture = join(directory, 'needs-a-tool.test.ts');
writeFileSync(
  fixture,
  `import { it } from 'node:test';
import { requiredOrSkip, skippedForMissing } from ${JSON.stringify(helper)};
it('needs a tool (option)', { skip: requiredOrSkip('frobnicator is not installed') }, () => {});
it('needs a tool (found while running)', (t) => {
  if (skippedForMissing(t, 'frobnicator went away')) return;
  throw new Error('ran without the tool');
});
it('has its tool', { skip: requiredOrSkip(false) }, () => {});
`,
);

function runFixture(ci: string | undefined) {
  const env = { ...process.env };
  // Not a subtest of this run: node:test tells a child it is one through NODE_TEST_CONTEXT.
  delete env.NODE_TEST_CONTEXT;
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', fixture], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('a missing tool: skipped on a developer machine, a failure with CI=true', () => {
  it('without CI, both tests that need the missing tool skip with the reason and the run passes', () => {
    for (const ci of [undefined, 'false', '1']) {
      const { status, output } = runFixture(ci);
      assert.equal(status, 0, output);
      assert.match(output, /# SKIP frobnicator is not installed/);
      assert.match(output, /# SKIP frobnicator went away/);
      assert.match(output, /^# skipped 2$/m);
      assert.match(output, /^# pass 1$/m);
    }
  });

  it('with CI=true the run fails and names what is missing', () => {
    const { status, output } = runFixture('true');
    assert.equal(status, 1, output);
    assert.match(output, /CI=true: .*frobnicator is not installed/);
    assert.doesNotMatch(output, /# SKIP/);
  });
});
