import type { TopLevelSpec } from 'vega-lite';
import { type Proportion, proportion } from '../core/statistics.js';
import type { RegionVolumeRecord, VolumeSizeEstimate } from '../landscape/volume.js';
import type { Figure } from './figure.js';
import { formatNumber } from './format.js';
import type { ReportSection } from './section.js';
import { formatProportion } from './summary-table.js';

/** The series of the region-volume figure and table: which fraction of each size, and its name in both. */
const SERIES: readonly { readonly key: SeriesKey; readonly label: string; readonly header: string }[] = [
  { key: 'badPossible', label: '𝓛_ε, upper bound (e* ≠ 0, MCE > ε)', header: 'bad, upper' },
  { key: 'badCertain', label: '𝓛_ε, lower bound (a sub-optimal DLM built)', header: 'bad, lower' },
  { key: 'globalPossible', label: '𝒢, upper bound (e* = 0)', header: 'global, upper' },
  { key: 'globalCertain', label: '𝒢, lower bound (a zero-error DLM built)', header: 'global, lower' },
  { key: 'allInactive', label: 'some sample with every unit off', header: 'all-off sample' },
];
type SeriesKey = 'badPossible' | 'badCertain' | 'globalPossible' | 'globalCertain' | 'allInactive';

const RATE_LABEL = 'Theorem 6 rate exp(−γ_ε·N^¾·(d0d1)^¼)';

/** Plot area, as the other report figures. */
const WIDTH = 520;
const HEIGHT = 300;

/**
 * Least-squares slope of ln(estimate) against ln(theorem rate) over the sizes whose estimate is > 0: 1 means the
 * estimate falls exactly as fast as the rate, more than 1 faster, below 1 slower, below 0 not at all. Null with
 * fewer than two such sizes or when the rate does not vary.
 */
export function slopeAgainstRate(
  sizes: readonly VolumeSizeEstimate[],
  key: SeriesKey,
): { readonly slope: number; readonly sizesUsed: number } | null {
  const points = sizes
    .filter((size) => size[key].successes > 0)
    .map((size) => [Math.log(size.theoremRate), Math.log(size[key].estimate!)] as const);
  if (points.length < 2) return null;
  const mx = points.reduce((s, [x]) => s + x, 0) / points.length;
  const my = points.reduce((s, [, y]) => s + y, 0) / points.length;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
  }
  return sxx > 0 ? { slope: sxy / sxx, sizesUsed: points.length } : null;
}

const sizeName = (size: VolumeSizeEstimate): string => `N=${size.count} d0=${size.inputDim} d1=${size.width}`;

/**
 * Fractions against N^{3/4}(d0d1)^{1/4} on a log y axis, so that Theorem 6's rate is a straight line. A fraction
 * of 0 has no place on a log axis: it is drawn as a downward triangle at its Wilson upper end (what 0 of n draws
 * can still hide), and lower interval ends of 0 are cut at the bottom of the plot.
 */
export function volumeFigure(record: RegionVolumeRecord, name = 'landscape-volume'): Figure {
  const rows = record.sizes.flatMap((size) =>
    SERIES.map(({ key, label }) => {
      const p: Proportion = size[key];
      return {
        x: size.rateExponent,
        size: sizeName(size),
        series: label,
        estimate: p.estimate ?? 0,
        low: p.low,
        high: p.high,
        zero: p.successes === 0,
      };
    }),
  );
  const positives = rows.flatMap((row) => [row.estimate, row.low, row.high]).filter((v) => v > 0);
  const rates = record.sizes.map((size) => size.theoremRate);
  const floor = 10 ** Math.floor(Math.log10(Math.min(...positives, ...rates)) - 0.5);
  const plotted = rows.map((row) => ({
    ...row,
    low: Math.max(row.low, floor),
    shown: row.zero ? row.high : row.estimate,
  }));
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: 'N^¾·(d0·d1)^¼',
    scale: { zero: false },
  };
  const y = {
    type: 'quantitative' as const,
    title: 'fraction of draws (angular volume)',
    scale: { type: 'log' as const, domain: [floor, 1] },
  };
  const color = { field: 'series', type: 'nominal' as const, title: 'estimate', sort: null };
  const tooltip = [
    { field: 'size', type: 'nominal' as const },
    { field: 'series', type: 'nominal' as const },
    { field: 'estimate', type: 'quantitative' as const, format: '.3g' },
    { field: 'high', type: 'quantitative' as const, title: 'upper 95%', format: '.3g' },
  ];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Region volumes, ε = ${record.settings.epsilon}, ρ = ${record.settings.negativeSlope}`,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: {
      font: 'DejaVu Sans',
      axis: { labelFontSize: 12, titleFontSize: 13 },
      legend: { labelFontSize: 12, labelLimit: 420, orient: 'bottom', direction: 'vertical' },
    },
    layer: [
      {
        data: { values: plotted },
        mark: { type: 'errorbar', ticks: true },
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color },
      },
      {
        data: { values: plotted.filter((row) => !row.zero) },
        mark: { type: 'line', point: { size: 40, filled: true }, strokeWidth: 2 },
        encoding: { x, y: { ...y, field: 'shown' }, color, tooltip },
      },
      {
        data: { values: plotted.filter((row) => row.zero) },
        mark: { type: 'point', shape: 'triangle-down', size: 70, filled: false, strokeWidth: 1.5 },
        encoding: { x, y: { ...y, field: 'shown' }, color, tooltip },
      },
      {
        data: { values: record.sizes.map((size) => ({ x: size.rateExponent, rate: size.theoremRate })) },
        mark: { type: 'line', strokeDash: [6, 4], color: 'black', point: { color: 'black', size: 20 } },
        encoding: { x, y: { ...y, field: 'rate' } },
      },
      {
        data: {
          values: [
            record.sizes.reduce((a, b) => (b.rateExponent < a.rateExponent ? b : a), record.sizes[0]),
          ].map((size) => ({ x: size.rateExponent, rate: size.theoremRate, label: RATE_LABEL })),
        },
        mark: { type: 'text', align: 'left', dy: -12, fontSize: 11 },
        encoding: { x, y: { ...y, field: 'rate' }, text: { field: 'label' } },
      },
    ],
  };
  return {
    name,
    title: `Region volumes (ε = ${record.settings.epsilon}, ρ = ${record.settings.negativeSlope})`,
    caption:
      `Fraction of ${record.settings.draws} draws (X, y, W) per size whose activation region holds (upper bounds) ` +
      'or provably holds (lower bounds) a sub-optimal differentiable local minimum with MCE > ε, or a zero-error ' +
      'one, with Wilson 95% intervals, against N^{3/4}(d0d1)^{1/4}; dashed: the theorem’s rate, a statement about ' +
      'log-ratios as N → ∞ whose constant does not apply at these sizes, so compare slopes, not heights. A ' +
      'downward triangle is a fraction of 0, drawn at its interval’s upper end; interval ends of 0 are cut at the ' +
      `bottom. Sizes: ${record.sizes.map(sizeName).join('; ')}.`,
    spec,
  };
}

/** Per size: the fractions with their intervals, and the theorem's rate. */
export function volumeTable(record: RegionVolumeRecord): ReportSection['tables'][number] {
  return {
    caption:
      `Region volumes: fraction of ${record.settings.draws} draws per size (count) [Wilson 95% interval]; ` +
      `ε = ${record.settings.epsilon}, ρ = ${record.settings.negativeSlope}, labels ${record.settings.labelEncoding}. ` +
      'bad: the region can (upper) or provably does (lower) hold a sub-optimal DLM with MCE > ε; global: the ' +
      'same for a zero-error minimum; e* ≠ 0, MCE ≤ ε: neither (a DLM there would be sub-optimal with few ' +
      'errors); all-off: some sample has every unit inactive',
    headers: [
      'N',
      'd0',
      'd1',
      'd0·d1',
      'rank(A∘X) = N',
      ...SERIES.map((s) => s.header),
      'e* ≠ 0, MCE ≤ ε',
      'bad with all-off',
      'γ_ε',
      'theorem rate',
    ],
    rows: record.sizes.map((size) => [
      String(size.count),
      String(size.inputDim),
      String(size.width),
      String(size.parameters),
      formatProportion(size.fullRank),
      ...SERIES.map((s) => formatProportion(size[s.key])),
      formatProportion(
        proportion(size.draws - size.badPossible.successes - size.globalPossible.successes, size.draws),
      ),
      `${size.badPossibleWithAllInactive} of ${size.badPossible.successes}`,
      formatNumber(size.gamma),
      formatNumber(size.theoremRate),
    ]),
  };
}

/** What the estimates say about the theorem, in words computed from the record (no fixed claims). */
export function volumeReading(record: RegionVolumeRecord): string[] {
  const { sizes, settings } = record;
  const text: string[] = [];
  const upper = slopeAgainstRate(sizes, 'badPossible');
  const zeroUpper = sizes.filter((size) => size.badPossible.successes === 0);
  if (zeroUpper.length === sizes.length) {
    text.push(
      `No draw of any size had a region that could hold a sub-optimal DLM with MCE > ${settings.epsilon}: the ` +
        'estimates say only that E𝒱(𝓛_ε) is below the upper interval ends ' +
        `(${zeroUpper.map((size) => formatNumber(size.badPossible.high)).join(', ')}), nothing about its slope.`,
    );
  } else if (upper !== null) {
    text.push(
      `Over the ${upper.sizesUsed} sizes with a non-zero upper bound, ln(upper bound on E𝒱(𝓛_ε)) changes by ` +
        `${formatNumber(upper.slope)} per unit of ln(theorem rate): ${
          upper.slope >= 1
            ? 'at least as fast as the rate'
            : upper.slope > 0
              ? 'slower than the rate'
              : 'it does not fall with the rate'
        } at these sizes.`,
    );
  }
  const lower = slopeAgainstRate(sizes, 'badCertain');
  if (lower !== null) {
    text.push(
      `The lower bound (regions with a sub-optimal DLM built) changes by ${formatNumber(lower.slope)} per unit of ` +
        `ln(theorem rate) over the ${lower.sizesUsed} sizes where it is non-zero.`,
    );
  }
  const inactive = sizes.reduce((s, size) => s + size.badPossibleWithAllInactive, 0);
  const bad = sizes.reduce((s, size) => s + size.badPossible.successes, 0);
  if (bad > 0) {
    text.push(
      `${inactive} of the ${bad} draws counted in the upper bound had a sample on which every unit was off` +
        (settings.negativeSlope === 0 ? ' (a zero column of A∘X, since ρ = 0).' : '.'),
    );
  }
  const certain = sizes.filter((size) => size.badCertain.successes > 0).length;
  const how = settings.signSearch
    ? 'was a least-squares solution inside the cones found (minimum-norm and sign search)'
    : 'was the minimum-norm least-squares solution inside the cones (sign search off)';
  text.push(
    certain === 0
      ? `In no bad region of any size ${how}: the lower bound on E𝒱(𝓛_ε) is 0 at every size, which says nothing ` +
          'beyond the upper bound.'
      : `A sub-optimal DLM was built explicitly at ${certain} of ${sizes.length} sizes (lower bound > 0).`,
  );
  if (settings.signSearch) {
    const found = sizes.reduce((s, size) => s + size.foundBySearch, 0);
    text.push(
      `${found} of the draws in the lower bounds needed the sign search (v* itself was not in the cones).`,
    );
  }
  return text;
}

/** The region-volume record as a report section (title, paragraphs, the figure, the table). */
export function volumeSection(
  record: RegionVolumeRecord,
): Pick<ReportSection, 'title' | 'text' | 'figures' | 'tables'> {
  return {
    title: 'Region volumes (Soudry–Hoffer Theorem 6)',
    text: [
      `Monte Carlo estimate of the angular volume of activation regions, ${record.settings.draws} draws per size, ` +
        `seed ${record.settings.seed}. ${record.model}. A region can hold a DLM only with its least-squares ` +
        'residual e* (Lemma 2), which gives the upper bounds; a least-squares solution strictly inside the ' +
        'region’s cones is a DLM, which gives the lower bounds (the minimum-norm solution' +
        `${record.settings.signSearch ? ', else one found by the sign search' : ' only'}).`,
      ...volumeReading(record),
    ],
    figures: [volumeFigure(record)],
    tables: [volumeTable(record)],
  };
}
