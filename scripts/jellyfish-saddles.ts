/**
 * The saddles between the minima of Jellyfish with 2 ReLU units (issue 17): a 100-restart `multistartSearch`
 * (seed 1, probes off), then `connectMinima` with the defaults on every pair of its distinct `global`/`local-min`
 * end points. Prints one line per pair (certified, rule, loss, reason) and a tally of outcomes; docs/landscape.md
 * quotes it.
 *
 *   npx tsx scripts/jellyfish-saddles.ts [--restarts 100] [--seed 1] [--width 2] [--dataset jellyfish|xor|gaussian:N]
 */
import { parseArgs } from 'node:util';
import { multistartSearch } from '../src/certify/search.js';
import { requireInteger } from '../src/core/errors.js';
import { gaussianRandomLabels } from '../src/data/gaussian.js';
import { toyDataset, type ToyDatasetName } from '../src/data/toy.js';
import { connectMinima } from '../src/landscape/path.js';
import { mlp } from '../src/model/architecture.js';

const { values } = parseArgs({
  options: {
    restarts: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    width: { type: 'string', default: '2' },
    dataset: { type: 'string', default: 'jellyfish' },
  },
});
const restarts = requireInteger('--restarts', Number(values.restarts), 1);
const seed = requireInteger('--seed', Number(values.seed), 0);
const width = requireInteger('--width', Number(values.width), 1);
const architecture = mlp(2, [width], 1, { kind: 'leaky-relu', slope: 0 }, true);
// `gaussian:N`: N standard normal points in 2-D with random ±1 labels (seed 5), a problem without the toy sets' symmetry.
const gaussian = /^gaussian:(\d+)$/.exec(values.dataset ?? '');
const samples =
  gaussian === null
    ? toyDataset(values.dataset as ToyDatasetName)
    : gaussianRandomLabels({ count: Number(gaussian[1]), inputDim: 2, seed: 5 });
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
const byRidge = new Map<string, number>();
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
    // The kink-saddle attempt's reason without its numbers (parentheses) up to its first colon: why it failed.
    const ridge = s?.reason
      .split('no kink-saddle either: ')[1]
      ?.replace(/\s*\((?:[^()]|\([^()]*\))*\)/g, '')
      .split(':')[0]
      .trim();
    const outcome =
      s === null
        ? 'no saddle record'
        : s.certified
          ? `certified (${s.rule})`
          : `not certified (${s.verdict}, ${s.rule}); kink-saddle: ${ridge ?? 'not tried'}`;
    tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    const ridgeOutcome =
      s === null ? 'no saddle record' : s.certified ? `certified (${s.rule})` : (ridge ?? 'not tried');
    byRidge.set(ridgeOutcome, (byRidge.get(ridgeOutcome) ?? 0) + 1);
    console.log(
      `${i}-${j} L ${minima[i].loss.toPrecision(4)}/${minima[j].loss.toPrecision(4)} top ${edge.topLoss.toPrecision(6)} ` +
        `${seconds.toFixed(2)} s: ${outcome}${s === null ? '' : ` overlap ${s.tangentOverlap?.toFixed(3) ?? 'n/a'}: ${s.reason}`}`,
    );
  }
}
console.log('by outcome:');
for (const [outcome, count] of tally) console.log(`${count}\t${outcome}`);
console.log('by the kink-saddle rule:');
for (const [outcome, count] of byRidge) console.log(`${count}\t${outcome}`);
