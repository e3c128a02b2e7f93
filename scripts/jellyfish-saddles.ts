/**
 * The saddles between the minima of Jellyfish with 2 ReLU units (issue 17): a 100-restart `multistartSearch`
 * (seed 1, probes off), then `connectMinima` with the defaults on every pair of its distinct `global`/`local-min`
 * end points. Prints one line per pair (certified, rule, loss, reason) and a tally of outcomes; docs/landscape.md
 * quotes it.
 *
 *   npx tsx scripts/jellyfish-saddles.ts [--restarts 100] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { multistartSearch } from '../src/certify/search.js';
import { requireInteger } from '../src/core/errors.js';
import { jellyfish } from '../src/data/toy.js';
import { connectMinima } from '../src/landscape/path.js';
import { mlp } from '../src/model/architecture.js';

const { values } = parseArgs({
  options: { restarts: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' } },
});
const restarts = requireInteger('--restarts', Number(values.restarts), 1);
const seed = requireInteger('--seed', Number(values.seed), 0);
const architecture = mlp(2, [2], 1, { kind: 'leaky-relu', slope: 0 }, true);
const samples = jellyfish();
const search = multistartSearch({
  architecture,
  loss: 'mse',
  samples,
  restarts,
  seed,
  certify: { probes: false },
});
const minima = search.distinct.filter((d) => d.verdict === 'global' || d.verdict === 'local-min');
console.log(
  `${search.distinct.length} distinct end points, ${minima.length} minima, ${search.seconds.toFixed(1)} s`,
);
const tally = new Map<string, number>();
for (let i = 0; i < minima.length; i++) {
  for (let j = i + 1; j < minima.length; j++) {
    const started = performance.now();
    const edge = connectMinima({
      architecture,
      loss: 'mse',
      samples,
      from: minima[i].theta,
      to: minima[j].theta,
      certify: { probes: false },
    });
    const seconds = (performance.now() - started) / 1000;
    const s = edge.saddle;
    // The kink-saddle attempt's reason up to its first colon or parenthesis: the category of why it failed.
    const ridge = s?.reason.split('no kink-saddle either: ')[1]?.split(/[:(]/)[0].trim();
    const outcome =
      s === null
        ? 'no saddle record'
        : s.certified
          ? `certified (${s.rule})`
          : `not certified (${s.verdict}, ${s.rule}); kink-saddle: ${ridge ?? 'not tried'}`;
    tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    console.log(
      `${i}-${j} L ${minima[i].loss.toPrecision(4)}/${minima[j].loss.toPrecision(4)} top ${edge.topLoss.toPrecision(6)} ` +
        `${seconds.toFixed(2)} s: ${outcome}${s === null ? '' : ` overlap ${s.tangentOverlap?.toFixed(3)}: ${s.reason}`}`,
    );
  }
}
for (const [outcome, count] of tally) console.log(`${count}\t${outcome}`);
