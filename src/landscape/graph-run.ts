import type { CertifyOptions } from '../certify/certificate.js';
import { multistartSearch, type SearchOptions } from '../certify/search.js';
import type { Verdict } from '../certify/verdict.js';
import { InvalidArgumentError, requireInteger } from '../core/errors.js';
import { formatActivation } from '../model/activation.js';
import { type Architecture, parameterCount } from '../model/architecture.js';
import type { LossKind } from '../model/loss.js';
import type { Samples } from '../model/samples.js';
import { alignNetworks } from './align.js';
import { mergeTree } from './graph.js';
import { type ConnectOptions, connectMinima } from './path.js';
import type {
  ConnectionRecord,
  ExcludedEndPointRecord,
  GraphRecord,
  LandscapeProblemRecord,
  MinimumRecord,
  PairingRecord,
  PathRecord,
} from './records.js';

/** The verdicts that make a distinct end point a node of the graph: certified minima, global or not. */
export const MINIMUM_VERDICTS: readonly Verdict[] = ['global', 'local-min'];

/** Up to this many pairs, every pair of minima is connected (Swirszcz D3's 18 minima make 153). */
export const DEFAULT_MAX_PAIRS = 200;

/** Above `maxPairs`, each minimum is connected to this many nearest others (aligned distance). */
export const DEFAULT_NEAREST = 3;

/** The problem a landscape run works on, and how to name it in its record. */
export interface LandscapeProblem {
  readonly architecture: Architecture;
  readonly loss: LossKind;
  readonly samples: Samples;
  /** A built-in dataset name (`basin search --dataset`), recorded so the explorer can rebuild the problem. */
  readonly dataset: string;
}

/** The search that finds the minima: `multistartSearch`'s options less the problem and the progress callback. */
export type MinimaSearchOptions = Omit<
  SearchOptions,
  'architecture' | 'loss' | 'samples' | 'onEndPoint' | 'certify'
> & { readonly certify?: Omit<CertifyOptions, 'polish'> };

export interface FoundMinima {
  /** Certified minima (verdict global or local-min), lowest loss first, ids 0, 1, … in that order. */
  readonly nodes: readonly MinimumRecord[];
  /** The other distinct end points, counted. */
  readonly excluded: readonly ExcludedEndPointRecord[];
  readonly restarts: number;
  readonly seed: number;
  readonly seconds: number;
}

export function problemRecord(problem: LandscapeProblem): LandscapeProblemRecord {
  const { architecture } = problem;
  const activations = [...new Set(architecture.hidden.map((h) => formatActivation(h.activation)))];
  return {
    dataset: problem.dataset,
    hidden: architecture.hidden.map((h) => h.width),
    activation: activations.join(','),
    loss: problem.loss,
    parameters: parameterCount(architecture),
  };
}

/**
 * Runs the multistart search and splits its distinct end points: those certified `global` or `local-min` become
 * the minima (with their restart counts and canonical θ), every other verdict (`saddle`, `degenerate`,
 * `non-differentiable`, `not-critical`) is counted in `excluded`: a point the certificate does not prove to be a
 * minimum has no basin to draw, and a barrier measured from it would mean nothing.
 */
export function findMinima(
  problem: LandscapeProblem,
  search: MinimaSearchOptions,
  onProgress?: (done: number, total: number) => void,
): FoundMinima {
  const result = multistartSearch({
    ...search,
    architecture: problem.architecture,
    loss: problem.loss,
    samples: problem.samples,
    ...(onProgress
      ? { onEndPoint: (_: unknown, done: number, total: number) => onProgress(done, total) }
      : {}),
  });
  const minima = result.distinct.filter((d) => MINIMUM_VERDICTS.includes(d.verdict));
  return {
    nodes: minima.map((d, id) => ({
      id,
      // The loss at the θ recorded (the group's first member), which the connections start from; the group's
      // lowest loss may differ from it by rounding.
      loss: result.endPoints[d.members[0]].loss,
      verdict: d.verdict,
      rule: d.rule,
      count: d.count,
      theta: Array.from(d.theta),
    })),
    excluded: result.distinct
      .filter((d) => !MINIMUM_VERDICTS.includes(d.verdict))
      .map((d) => ({ loss: d.loss, verdict: d.verdict, rule: d.rule, count: d.count })),
    restarts: result.endPoints.length,
    seed: search.seed ?? 1,
    seconds: result.seconds,
  };
}

/** How each pair is connected: `connectMinima`'s options less the problem, the end points and the progress. */
export interface ConnectionSettings {
  readonly images?: number;
  readonly maxIterations?: number;
  readonly certify?: Omit<CertifyOptions, 'polish'>;
}

export interface GraphOptions extends ConnectionSettings {
  readonly problem: LandscapeProblem;
  readonly search: MinimaSearchOptions;
  /** Connect every pair when there are at most this many (default `DEFAULT_MAX_PAIRS`). */
  readonly maxPairs?: number;
  /** Otherwise each minimum to its `nearest` nearest ones by aligned distance (default `DEFAULT_NEAREST`). */
  readonly nearest?: number;
  readonly onProgress?: (stage: 'search' | 'connect', done: number, total: number) => void;
}

/**
 * The pairs to connect, as [i, j] with i < j: all n(n − 1)/2 when that is at most `maxPairs`; otherwise each minimum
 * with its k nearest others by the distance after alignment (permutation and positive rescaling), the union of
 * those, at most n·k pairs. The k-nearest graph may leave groups unconnected; the tree then reports them apart.
 */
export function choosePairs(
  architecture: Architecture,
  nodes: readonly MinimumRecord[],
  maxPairs: number,
  nearest: number,
): { pairs: [number, number][]; pairing: PairingRecord } {
  const n = nodes.length;
  if ((n * (n - 1)) / 2 <= maxPairs) {
    const all: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) all.push([i, j]);
    return { pairs: all, pairing: { kind: 'all' } };
  }
  // One row of distances at a time: memory stays O(n) however many minima there are.
  const thetas = nodes.map((node) => Float64Array.from(node.theta));
  const chosen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const distance = thetas.map((theta, j) =>
      j === i ? Infinity : alignNetworks(architecture, thetas[i], theta).distanceAfter,
    );
    const nearestOf = thetas
      .map((_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => distance[a] - distance[b] || a - b)
      .slice(0, nearest);
    for (const j of nearestOf) chosen.add(Math.min(i, j) * n + Math.max(i, j));
  }
  return {
    pairs: [...chosen].sort((a, b) => a - b).map((key) => [Math.floor(key / n), key % n]),
    pairing: { kind: 'nearest', k: nearest, maxPairs },
  };
}

/**
 * `basin landscape graph`: the distinct certified minima of a multistart search (`findMinima`), the chosen pairs
 * between them connected by `connectMinima` (aligned, straight line, nudged elastic band, saddle certified or the
 * reason why not), and the disconnectivity tree of those connections (`mergeTree`). A pure function of its options.
 */
export function landscapeGraph(options: GraphOptions): GraphRecord {
  const { problem } = options;
  const maxPairs = requireInteger('maxPairs', options.maxPairs ?? DEFAULT_MAX_PAIRS, 0);
  const nearest = requireInteger('nearest', options.nearest ?? DEFAULT_NEAREST, 1);
  const found = findMinima(problem, options.search, (done, total) =>
    options.onProgress?.('search', done, total),
  );
  if (found.nodes.length === 0) {
    const verdicts = found.excluded.map((d) => `${d.count} ${d.verdict}`).join(', ');
    throw new InvalidArgumentError(
      'restarts',
      'a search that ends in at least one certified minimum (more restarts, or another --seed)',
      `none among ${found.restarts} end points (${verdicts})`,
    );
  }
  const started = performance.now();
  const { pairs, pairing } = choosePairs(problem.architecture, found.nodes, maxPairs, nearest);
  const edges = pairs.map(([i, j], done) => {
    const edge = connect(problem, found.nodes[i], found.nodes[j], {
      ...(options.images !== undefined ? { images: options.images } : {}),
      ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
      ...(options.certify !== undefined ? { certify: options.certify } : {}),
    });
    options.onProgress?.('connect', done + 1, pairs.length);
    return edge;
  });
  return {
    kind: 'basin-landscape-graph',
    version: 1,
    problem: problemRecord(problem),
    restarts: found.restarts,
    seed: found.seed,
    nodes: found.nodes,
    excluded: found.excluded,
    pairing,
    seconds: { search: found.seconds, connect: (performance.now() - started) / 1000 },
    edges,
    merges: mergeTree(found.nodes, edges),
  };
}

/** One connection between two points of the problem, ids recorded as given. */
function connect(
  problem: LandscapeProblem,
  from: { readonly id: number; readonly theta: ArrayLike<number> },
  to: { readonly id: number; readonly theta: ArrayLike<number> },
  settings: ConnectionSettings & Pick<PathOptions, 'onProgress'>,
): ConnectionRecord {
  return connectMinima({
    architecture: problem.architecture,
    loss: problem.loss,
    samples: problem.samples,
    from: Float64Array.from(from.theta),
    to: Float64Array.from(to.theta),
    fromId: from.id,
    toId: to.id,
    ...(settings.images !== undefined ? { images: settings.images } : {}),
    ...(settings.maxIterations !== undefined ? { maxIterations: settings.maxIterations } : {}),
    ...(settings.certify !== undefined ? { certify: settings.certify } : {}),
    ...(settings.onProgress !== undefined ? { onProgress: settings.onProgress } : {}),
  });
}

export interface PathOptions extends ConnectionSettings {
  readonly problem: LandscapeProblem;
  readonly from: Float64Array;
  readonly to: Float64Array;
  /** Ids to record (e.g. the search's minimum numbers); 0 and 1 by default. */
  readonly fromId?: number;
  readonly toId?: number;
  readonly onProgress?: ConnectOptions['onProgress'];
}

/** `basin landscape path`: one connection between two given points of one problem, as a record. */
export function landscapePath(options: PathOptions): PathRecord {
  // θ's length and values are checked once, by connectMinima, with the argument named.
  return {
    kind: 'basin-landscape-path',
    version: 1,
    problem: problemRecord(options.problem),
    connection: connect(
      options.problem,
      { id: options.fromId ?? 0, theta: options.from },
      { id: options.toId ?? 1, theta: options.to },
      options,
    ),
  };
}
