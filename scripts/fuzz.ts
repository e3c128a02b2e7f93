/**
 * Runs issue 16's fuzz corpus (test/fuzz/corpus.ts) against the compiled CLI and prints a summary:
 *
 *   npm run fuzz                                    every case, two at a time
 *   npx tsx scripts/fuzz.ts --filter 'data-inspect/' --concurrency 1
 *   npx tsx scripts/fuzz.ts --markdown failures.md  also write the failing cases, grouped by class
 *   npx tsx scripts/fuzz.ts --ids failed.txt        only the cases listed in the file, one id per line
 *
 * Build first (`npx tsc -p tsconfig.build.json`): the cases run `node bin/basin.js`, which loads dist/. The exit
 * status is 1 when any case failed. The test (test/fuzz/fuzz.test.ts) runs the same cases with the same runner.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fuzzCorpus } from '../test/fuzz/corpus.js';
import { runCases } from '../test/fuzz/runner.js';
import { classTable, commandTable, describeOutcome, failuresMarkdown } from '../test/fuzz/summary.js';
import { ensureBuilt } from '../test/cli/helpers.js';

const { values } = parseArgs({
  options: {
    filter: { type: 'string' },
    ids: { type: 'string' },
    class: { type: 'string' },
    concurrency: { type: 'string', default: '2' },
    markdown: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

ensureBuilt();
const filter = values.filter === undefined ? undefined : new RegExp(values.filter);
const ids =
  values.ids === undefined
    ? undefined
    : new Set(
        readFileSync(values.ids, 'utf8')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== ''),
      );
const cases = fuzzCorpus().filter(
  (c) =>
    (filter === undefined || filter.test(c.id)) &&
    (ids === undefined || ids.has(c.id)) &&
    (values.class === undefined || c.class === values.class),
);
const concurrency = Number(values.concurrency);
console.log(`basin fuzz corpus: ${cases.length} cases, ${concurrency} at a time`);
const started = performance.now();
let done = 0;
const outcomes = await runCases(cases, {
  concurrency,
  onOutcome: (outcome) => {
    done++;
    if (!values.quiet) {
      const mark = outcome.clean ? 'clean ' : 'FAILED';
      console.log(
        `${String(done).padStart(4)}/${cases.length} ${mark} ${outcome.id} (${(outcome.milliseconds / 1000).toFixed(1)} s)`,
      );
    }
  },
});
const seconds = (performance.now() - started) / 1000;

const failed = outcomes.filter((o) => !o.clean);
if (failed.length > 0) {
  console.log('\nFailing cases:\n');
  for (const outcome of failed) console.log(`${describeOutcome(outcome)}\n`);
}
console.log(`\n${commandTable(outcomes)}\n\n${classTable(outcomes)}\n`);
console.log(
  `${outcomes.length - failed.length} of ${outcomes.length} clean, ${failed.length} failed, in ${seconds.toFixed(0)} s`,
);
if (values.markdown !== undefined) {
  writeFileSync(values.markdown, failuresMarkdown(outcomes, `basin fuzz corpus: failing cases`));
  console.log(`failing cases written to ${values.markdown}`);
}
process.exitCode = failed.length > 0 ? 1 : 0;
