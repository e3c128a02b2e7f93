import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliSkip } from '../cli/helpers.js';
import { fuzzCorpus } from './corpus.js';
import { describeOutcome } from './summary.js';
import { runCase } from './runner.js';
import { FUZZ_CLASSES } from './types.js';

/*
 * Issue 16's fuzz corpus: every case runs the compiled CLI in its own process under a wall-time and an
 * address-space bound (test/fuzz/runner.ts) and must end as its expectation says: a one-line error naming the flag,
 * field or file, or a valid run, with every input file unchanged. `npm run fuzz` runs the same cases with a summary.
 */

const corpus = fuzzCorpus();

describe('fuzz corpus', () => {
  it('has at least 300 cases with unique ids, over every class', () => {
    assert.ok(corpus.length >= 300, `${corpus.length} cases`);
    assert.equal(new Set(corpus.map((c) => c.id)).size, corpus.length, 'duplicate case ids');
    for (const fuzzClass of Object.keys(FUZZ_CLASSES)) {
      assert.ok(
        corpus.some((c) => c.class === fuzzClass),
        `no case of class ${fuzzClass}`,
      );
    }
  });

  // Two at a time: the project's machines have two cores, and each case is one basin process.
  describe('cases', { concurrency: 2, skip: cliSkip }, () => {
    for (const fuzzCase of corpus) {
      it(fuzzCase.id, async () => {
        const outcome = await runCase(fuzzCase);
        assert.ok(outcome.clean, describeOutcome(outcome));
      });
    }
  });
});
