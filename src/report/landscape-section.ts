import type { TopLevelSpec } from 'vega-lite';
import { edgeCertified, edgeLevel, graphLayout, mergeComponents } from '../landscape/graph.js';
import type { ReportableLandscapeRecord } from '../landscape/record-file.js';
import type { ConnectionRecord, GraphRecord, PathProfileRecord, PathRecord } from '../landscape/records.js';
import type { Figure } from './figure.js';
import { formatNumber, formatRate } from './format.js';
import type { ReportSection, ReportTable } from './section.js';
import { volumeSection } from './volume-section.js';

/** A report section that stands on its own, without a sweep (the landscape records of `basin landscape`). */
export type StandaloneSection = Omit<ReportSection, 'summary'>;

/** Plot height, and width per minimum of the tree (its two label lines need about this much). */
const HEIGHT = 320;
const MIN_WIDTH = 520;
const WIDTH_PER_LEAF = 80;
/** Room below the lowest minimum for its label, as a fraction of the drawn loss range. */
const LABEL_ROOM = 0.16;
/**
 * The tree's y axis turns from linear to symmetric-log (linear below 1, logarithmic above) when the top of the
 * drawing is more than this many times the median merge level: one high minimum (a dead network at L = 50) would
 * otherwise squash every other merge into the bottom of the figure.
 */
const SYMLOG_SPREAD = 4;

const CONFIG = {
  font: 'DejaVu Sans',
  axis: { labelFontSize: 12, titleFontSize: 13 },
  legend: { labelFontSize: 12, labelLimit: 320 },
};

const JOIN_STYLES = ['certified saddle', 'not certified', 'no connection found'] as const;
/** Solid, dashed, dotted. */
const JOIN_DASHES: Record<(typeof JOIN_STYLES)[number], number[]> = {
  'certified saddle': [1, 0],
  'not certified': [6, 4],
  'no connection found': [2, 3],
};

/** Losses as the tables and labels print them: six significant digits, exponent outside [1e-3, 1e5). */
const loss = (value: number): string => formatNumber(value, 6);

/**
 * "certified: …" or "not certified: <reason>", the one phrase for an edge's top everywhere it is shown. `short`
 * gives the reason as the refined point's verdict and rule (tables), the full reason otherwise.
 */
export function describeSaddle(edge: ConnectionRecord, short = false): string {
  if (edge.sameMinimum) return 'same minimum (aligned)';
  if (edge.saddle === null) return 'not certified: no barrier on the path';
  const saddle = edge.saddle;
  if (saddle.certified) {
    // A kink-saddle is index 1 in the non-smooth sense (docs/landscape.md, "Saddles on a kink"), not a Morse index.
    const kind = saddle.rule === 'kink-saddle' ? 'index 1 saddle on a kink' : 'Morse index 1 saddle';
    return `certified: ${kind} at ${loss(saddle.loss)}`;
  }
  if (!short) return `not certified: ${saddle.reason}`;
  const index = saddle.morseIndex === null ? '' : `, Morse index ${saddle.morseIndex}`;
  return `not certified: ${saddle.verdict} [${saddle.rule}, ${saddle.strength}${index}]`;
}

/** 0, 0.2, 0.5, 1, 2, 5, 10, … up to `high` (losses are ≥ 0; below 0 is only room for the labels). */
function symlogTicks(high: number): number[] {
  const steps: number[] = [0];
  for (let decade = 0.1; decade * 2 <= high; decade *= 10) {
    for (const m of [2, 5, 10]) if (m * decade <= high) steps.push(m * decade);
  }
  return steps;
}

/** The path whose highest point is lowest: the one the edge's barrier comes from. */
export function bestPath(edge: ConnectionRecord): PathProfileRecord | undefined {
  return [...edge.paths].sort((a, b) => a.maxLoss - b.maxLoss)[0];
}

/**
 * The disconnectivity graph: y = loss, each minimum a vertical line from its loss up to where it joins, horizontal
 * joins at the merge levels (solid when the edge's saddle is certified, dashed when not), each leaf labelled with
 * its id, loss and the restarts that ended there. Groups that no edge joins stand apart with open tops.
 */
export function graphFigure(record: GraphRecord, name = 'landscape-graph'): Figure {
  const layout = graphLayout(record.nodes, record.merges);
  const byId = new Map(record.nodes.map((node) => [node.id, node]));
  const low = Math.min(...record.nodes.map((n) => n.loss));
  const levels = record.merges.map((m) => m.level).sort((a, b) => a - b);
  const median = levels.length > 0 ? levels[Math.floor(levels.length / 2)] : layout.top;
  const symlog = Math.abs(layout.top) > SYMLOG_SPREAD * Math.max(1, Math.abs(median));
  // The label room is a fraction of the drawn range, so it is computed where the scale is linear.
  const forward = (v: number): number => (symlog ? Math.sign(v) * Math.log1p(Math.abs(v)) : v);
  const inverse = (v: number): number => (symlog ? Math.sign(v) * Math.expm1(Math.abs(v)) : v);
  const drawnRange = forward(layout.top) - forward(low) || 1;
  const bottom = inverse(forward(low) - LABEL_ROOM * drawnRange);
  // The stem above the root of one tree says nothing; above groups that never join, it says no path joined them.
  const separate = layout.components.length > 1;
  const segments = layout.segments
    .filter((s) => s.kind !== 'open' || separate)
    .map((s) => ({
      ...s,
      style: s.kind === 'open' ? JOIN_STYLES[2] : s.certified ? JOIN_STYLES[0] : JOIN_STYLES[1],
    }));
  const leaves = layout.leaves.map((leaf) => {
    const node = byId.get(leaf.id)!;
    return {
      x: leaf.x,
      loss: leaf.loss,
      label: `#${leaf.id}\n${formatNumber(leaf.loss, 4)}\n${node.count} restart${node.count === 1 ? '' : 's'}`,
    };
  });
  const x = {
    type: 'quantitative' as const,
    axis: null,
    scale: { domain: [-0.6, Math.max(0.6, layout.leaves.length - 0.4)] },
  };
  const y = {
    type: 'quantitative' as const,
    title: `loss (${record.problem.loss})${symlog ? ', symmetric log scale' : ''}`,
    scale: {
      domain: [bottom, layout.top],
      nice: false,
      zero: false,
      ...(symlog ? { type: 'symlog' as const, constant: 1 } : {}),
    },
    // Vega's symlog ticks are evenly spaced in loss and leave the linear part below 1 bare: ticks at 1-2-5 steps.
    ...(symlog ? { axis: { values: symlogTicks(layout.top), format: '~g' } } : {}),
  };
  const width = Math.max(MIN_WIDTH, WIDTH_PER_LEAF * layout.leaves.length);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${record.problem.dataset} (${record.problem.hidden.join('-')} hidden, ${record.problem.activation}): disconnectivity graph`,
    width,
    // A wide tree (many minima) gets taller too, up to twice the usual height, so its levels stay apart.
    height: Math.min(2 * HEIGHT, Math.max(HEIGHT, 0.35 * width)),
    background: 'white',
    config: CONFIG,
    layer: [
      {
        data: { values: segments },
        mark: { type: 'rule', strokeWidth: 2, color: '#1f4e79' },
        encoding: {
          x: { ...x, field: 'x1' },
          x2: { field: 'x2' },
          y: { ...y, field: 'y1' },
          y2: { field: 'y2' },
          strokeDash: {
            field: 'style',
            type: 'nominal',
            title: 'join',
            // Only the styles drawn, so the legend lists no kind of line the figure does not have.
            scale: {
              domain: JOIN_STYLES.filter((style) => segments.some((s) => s.style === style)),
              range: JOIN_STYLES.filter((style) => segments.some((s) => s.style === style)).map(
                (style) => JOIN_DASHES[style],
              ),
            },
          },
        },
      },
      {
        data: { values: leaves },
        mark: { type: 'point', filled: true, size: 40, color: '#1f4e79' },
        encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'loss' } },
      },
      {
        data: { values: leaves },
        mark: { type: 'text', baseline: 'top', dy: 6, fontSize: 10, lineBreak: '\n' },
        encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'loss' }, text: { field: 'label' } },
      },
    ],
  };
  const dashed = record.merges.filter((m) => !m.certified).length;
  return {
    name,
    title: `Disconnectivity graph of ${record.problem.dataset}`,
    caption:
      `The ${record.nodes.length} distinct certified minima that ${record.restarts} restarts (seed ${record.seed}) ` +
      `found, each drawn from its loss up to the lowest path top that joins it to the others (Kruskal on ` +
      `${record.edges.length} connections). Solid joins (and the stems up to them) are certified index 1 saddles, smooth ` +
      `(Morse) or on a kink, or one minimum up to symmetry; dashed joins (${dashed} of ${record.merges.length}) are the highest loss on the best path found, ` +
      'an upper bound on the barrier without a certified saddle.',
    spec,
  };
}

/** The loss along every path of a connection, one line per method, with the saddle (or the top) marked. */
export function pathFigure(
  record: PathRecord,
  name = 'landscape-path',
  ends: PathEnds = defaultEnds(record),
): Figure {
  const edge = record.connection;
  const points = edge.paths.flatMap((path) =>
    path.t.map((t, k) => ({ t, loss: path.loss[k], method: path.method })),
  );
  const best = bestPath(edge);
  // A certified saddle is marked at its own loss; otherwise the mark is the path's top, since an uncertified
  // refinement may have slid off the top (into a minimum, or a dead-network plateau) and its loss is not the barrier.
  const certified = edge.saddle?.certified === true;
  const marks =
    best === undefined
      ? []
      : [
          {
            t: best.peakT,
            loss: certified ? edge.saddle!.loss : best.maxLoss,
            label: certified
              ? `saddle ${loss(edge.saddle!.loss)} (certified)`
              : `top ${loss(best.maxLoss)} (${edge.saddle === null ? 'no barrier' : 'not certified'})`,
          },
        ];
  const x = { field: 't', type: 'quantitative' as const, title: 't along the path' };
  const y = { field: 'loss', type: 'quantitative' as const, title: `loss (${record.problem.loss})` };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${record.problem.dataset}: ${ends.from} → ${ends.to}`,
    width: MIN_WIDTH,
    height: HEIGHT - 20,
    background: 'white',
    config: CONFIG,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { x, y, color: { field: 'method', type: 'nominal', title: 'path' } },
      },
      {
        data: { values: marks },
        mark: { type: 'point', shape: 'diamond', filled: true, size: 120, color: 'black' },
        encoding: { x, y },
      },
      {
        data: { values: marks },
        mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 11 },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  };
  return {
    name,
    title: `Paths between ${ends.from} and ${ends.to}`,
    caption:
      `Loss along each path (t is the normalised arc length for the elastic band) after alignment; the diamond ` +
      `marks the top of the best path: ${describeSaddle(edge)}. Barrier ${loss(edge.barrierFromStart)} from ` +
      `${ends.from} (loss ${loss(edge.fromLoss)}), ${loss(edge.barrierFromEnd)} from ${ends.to} ` +
      `(loss ${loss(edge.toLoss)}).`,
    spec,
  };
}

/** The minima, the connections and the non-minima of a graph record, as the CLI prints them and the report shows. */
export function graphTables(record: GraphRecord): ReportTable[] {
  const tables: ReportTable[] = [
    {
      caption: `Minima (nodes): restarts that ended in each, out of ${record.restarts}`,
      headers: ['id', 'loss', 'verdict', 'rule', 'restarts'],
      rows: record.nodes.map((n) => [
        String(n.id),
        loss(n.loss),
        n.verdict,
        n.rule,
        formatRate(n.count, record.restarts),
      ]),
    },
    {
      caption: 'Connections (edges): top of the best path, barriers from each end, and its saddle',
      headers: ['from', 'to', 'aligned distance', 'top', 'barrier from', 'barrier to', 'path', 'saddle'],
      rows: record.edges.map((e) => [
        String(e.from),
        String(e.to),
        formatNumber(e.distanceAfter, 4),
        loss(edgeLevel(e)),
        loss(e.barrierFromStart),
        loss(e.barrierFromEnd),
        bestPath(e)?.method ?? '–',
        describeSaddle(e, true),
      ]),
    },
    {
      caption: 'Merges of the disconnectivity tree (Kruskal on the edges’ tops)',
      headers: ['level', 'joins', 'with', 'edge', 'certified'],
      rows: record.merges.map((m) => [
        loss(m.level),
        m.left.join(','),
        m.right.join(','),
        `${record.edges[m.edge].from}–${record.edges[m.edge].to}`,
        m.certified ? 'yes' : 'no',
      ]),
    },
  ];
  const uncertified = record.edges.filter((e) => !edgeCertified(e) && e.saddle !== null);
  if (uncertified.length > 0) {
    tables.push({
      caption: 'Why each uncertified top is not a certified saddle',
      headers: ['from', 'to', 'top', 'reason'],
      rows: uncertified.map((e) => [String(e.from), String(e.to), loss(e.topLoss), e.saddle!.reason]),
    });
  }
  if (record.excluded.length > 0) {
    tables.push({
      caption: 'Distinct end points that are not certified minima (not nodes)',
      headers: ['loss', 'verdict', 'rule', 'restarts'],
      rows: record.excluded.map((d) => [
        loss(d.loss),
        d.verdict,
        d.rule,
        formatRate(d.count, record.restarts),
      ]),
    });
  }
  return tables;
}

/** What a graph record says, in sentences. */
export function graphText(record: GraphRecord): string[] {
  const certified = record.edges.filter(edgeCertified).length;
  const components = mergeComponents(record.nodes, record.merges);
  const excluded = record.excluded.reduce((sum, d) => sum + d.count, 0);
  const pairing =
    record.pairing.kind === 'all'
      ? 'every pair connected'
      : `each minimum connected to its ${record.pairing.k} nearest (aligned distance; more than ${record.pairing.maxPairs} pairs in all)`;
  return [
    `${record.problem.dataset}, ${record.problem.hidden.join('-')} hidden ${record.problem.activation} units, ` +
      `${record.problem.loss} loss: ${record.restarts} restarts (seed ${record.seed}) ended in ` +
      `${record.nodes.length} distinct certified minima` +
      (excluded > 0
        ? ` and ${excluded} runs elsewhere (${record.excluded.length} distinct non-minima)`
        : '') +
      `; ${record.edges.length} connections (${pairing}), ${certified} with a certified saddle or the same ` +
      `minimum, ${record.edges.length - certified} not certified. ` +
      (components.length === 1
        ? 'Every minimum is joined to every other.'
        : `${components.length} groups stay apart: ${components.map((c) => `{${c.join(', ')}}`).join(', ')}.`),
    `Search ${record.seconds.search.toFixed(1)} s, connections ${record.seconds.connect.toFixed(1)} s.`,
  ];
}

export function graphSection(record: GraphRecord): StandaloneSection {
  return {
    title: `Disconnectivity graph: ${record.problem.dataset}`,
    text: graphText(record),
    figures: [graphFigure(record, `landscape-graph-${record.problem.dataset}`)],
    tables: graphTables(record),
  };
}

/** How a path's ends are named: `minimum 0` and `minimum 1` unless the caller knows better (`search:3`, a file). */
export interface PathEnds {
  readonly from: string;
  readonly to: string;
}

const defaultEnds = (record: PathRecord): PathEnds => ({
  from: `minimum ${record.connection.from}`,
  to: `minimum ${record.connection.to}`,
});

export function pathTable(record: PathRecord, ends: PathEnds = defaultEnds(record)): ReportTable {
  const edge = record.connection;
  return {
    caption: `Paths from ${ends.from} (loss ${loss(edge.fromLoss)}) to ${ends.to} (loss ${loss(edge.toLoss)})`,
    headers: ['path', 'max loss', 'at t', 'barrier'],
    rows: edge.paths.map((p) => [p.method, loss(p.maxLoss), formatNumber(p.peakT, 3), loss(p.barrier)]),
  };
}

export function pathText(record: PathRecord): string[] {
  const edge = record.connection;
  return [
    `${record.problem.dataset} (${record.problem.hidden.join('-')} hidden ${record.problem.activation}): ` +
      `distance ${formatNumber(edge.distanceBefore, 4)} before alignment, ${formatNumber(edge.distanceAfter, 4)} ` +
      `after${edge.sameMinimum ? ' (one minimum up to symmetry)' : ''}; top ${loss(edge.topLoss)}, ` +
      `${describeSaddle(edge)}.`,
  ];
}

export function pathSection(record: PathRecord): StandaloneSection {
  return {
    title: `Path between two minima: ${record.problem.dataset}`,
    text: pathText(record),
    figures: [
      pathFigure(
        record,
        `landscape-path-${record.problem.dataset}-${record.connection.from}-${record.connection.to}`,
      ),
    ],
    tables: [pathTable(record)],
  };
}

/** The section of any landscape record, by its `kind`. */
export function landscapeSection(record: ReportableLandscapeRecord): StandaloneSection {
  switch (record.kind) {
    case 'basin-landscape-graph':
      return graphSection(record);
    case 'basin-landscape-path':
      return pathSection(record);
    case 'basin-landscape-volume':
      return volumeSection(record);
  }
}
