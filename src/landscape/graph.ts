import { InvalidArgumentError } from '../core/errors.js';
import type { ConnectionRecord, MergeRecord } from './records.js';

/*
 * The disconnectivity tree of a set of minima (Becker & Karplus 1997; Wales' disconnectionDPS): minima join at the
 * lowest height over which some path connects them. With the edges' tops as heights this is Kruskal's minimum
 * spanning forest, and the order of its merges is the tree. Pure functions: the record in, merges and a drawing out.
 */

/** What the tree needs of a minimum. */
export interface GraphNode {
  readonly id: number;
  readonly loss: number;
}

/** What the tree needs of a connection. */
export type GraphEdge = Pick<
  ConnectionRecord,
  'from' | 'to' | 'fromLoss' | 'toLoss' | 'sameMinimum' | 'saddle' | 'topLoss'
>;

/**
 * The height at which an edge joins its two minima: a pair that alignment shows to be one minimum joins at its own
 * loss (no barrier at all); any other pair at the top of its best path, the certified saddle when there is one.
 * Either way it is an upper bound on the lowest barrier between the two (a path exists that stays below it).
 */
export function edgeLevel(edge: GraphEdge): number {
  return edge.sameMinimum ? Math.max(edge.fromLoss, edge.toLoss) : edge.topLoss;
}

/**
 * Whether an edge's level is certified: the top of its path is a proved Morse index 1 saddle, or the two ends are
 * one minimum up to symmetry. Otherwise the level is only the highest loss found along a sampled path.
 */
export function edgeCertified(edge: GraphEdge): boolean {
  return edge.sameMinimum || edge.saddle?.certified === true;
}

/**
 * Kruskal's algorithm on the edges by level (union–find): each edge that joins two groups not yet joined becomes a
 * merge, in order of level. Ties go to a certified edge first, then to the lower edge index, so the result is a
 * function of the input alone. Edges with a non-finite level (a failed connection) or from a node to itself are
 * skipped; groups that no edge joins stay apart (see `mergeComponents`). `left` is the group holding the edge's
 * `from` node. Node ids must be distinct and every edge must name two of them.
 */
export function mergeTree(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): MergeRecord[] {
  const index = nodeIndex(nodes);
  const parent = nodes.map((_, k) => k);
  const members = nodes.map((node) => [node.id]);
  const find = (k: number): number => {
    while (parent[k] !== k) {
      parent[k] = parent[parent[k]];
      k = parent[k];
    }
    return k;
  };
  const order = edges
    .map((edge, k) => {
      for (const end of [edge.from, edge.to]) {
        if (!index.has(end)) {
          throw new InvalidArgumentError(
            `edges[${k}]`,
            `node ids among ${[...index.keys()].join(', ')}`,
            end,
          );
        }
      }
      return { edge, k, level: edgeLevel(edge), certified: edgeCertified(edge) };
    })
    .filter(({ edge, level }) => Number.isFinite(level) && edge.from !== edge.to)
    .sort((a, b) => a.level - b.level || Number(b.certified) - Number(a.certified) || a.k - b.k);
  const merges: MergeRecord[] = [];
  for (const { edge, k, level, certified } of order) {
    const a = find(index.get(edge.from)!);
    const b = find(index.get(edge.to)!);
    if (a === b) continue;
    merges.push({ level, left: [...members[a]], right: [...members[b]], edge: k, certified });
    parent[b] = a;
    members[a] = [...members[a], ...members[b]].sort((x, y) => x - y);
    members[b] = [];
  }
  return merges;
}

/** The groups of node ids that the merges leave apart (one group when everything is joined), lowest id first. */
export function mergeComponents(nodes: readonly GraphNode[], merges: readonly MergeRecord[]): number[][] {
  const group = new Map<number, number[]>(nodes.map((node) => [node.id, [node.id]]));
  for (const merge of merges) {
    const joined = [...merge.left, ...merge.right].sort((x, y) => x - y);
    for (const id of joined) group.set(id, joined);
  }
  return [...new Set(group.values())].sort((a, b) => a[0] - b[0]);
}

/** One straight line of the drawing, in (leaf position, loss) coordinates. */
export interface GraphSegment {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /**
   * `stem`: a minimum's or group's vertical line from its bottom up to the level where it joins; `join`: the
   * horizontal line at a merge level; `open`: the stem of a group that nothing joins, up to the top of the drawing.
   */
  readonly kind: 'stem' | 'join' | 'open';
  /**
   * Whether the connection of this line's merge is certified (`edgeCertified`): a join's own, a stem's the join it
   * rises to; open stems are true (no connection to doubt).
   */
  readonly certified: boolean;
  /**
   * The connection (index into GraphRecord.edges) of the merge this line belongs to: a join's own, a stem's the
   * merge it rises to; null for open stems.
   */
  readonly edge: number | null;
}

export interface GraphLeaf {
  readonly id: number;
  readonly x: number;
  readonly loss: number;
}

export interface GraphLayout {
  /** Minima left to right: the order in which the tree's branches do not cross. */
  readonly leaves: readonly GraphLeaf[];
  readonly segments: readonly GraphSegment[];
  /** Where the open stems end: above every merge and every minimum. */
  readonly top: number;
  readonly components: readonly (readonly number[])[];
}

/** Headroom above the highest level for the open stems, as a fraction of the drawing's loss range. */
const OPEN_STEM_HEADROOM = 0.08;

interface Cluster {
  readonly ids: readonly number[];
  /** Lowest loss in the group: siblings are ordered by it. */
  readonly lowest: number;
  /** Where the group's stem starts: the minimum's loss, or the level of the merge that made it. */
  readonly bottom: number;
  readonly children?: readonly [Cluster, Cluster];
  readonly certified: boolean;
  /** The edge of the merge that made this group (undefined for a lone minimum). */
  readonly edge?: number;
  x?: number;
}

/**
 * The disconnectivity graph as lines: the tree of `merges` with, at each merge, the branch holding the lower
 * minimum on the left, leaves at x = 0, 1, 2, … in that order (so no branches cross), each group's stem at the
 * middle of its two branches' stems and running from its bottom up to the level of the merge that absorbs it, and
 * a horizontal join at each merge level. Groups that are never joined stand side by side, lowest first, their stems
 * open to `top`. A merge level below a branch's bottom (a barrier ≤ 0 within rounding) is drawn at that bottom.
 */
export function graphLayout(nodes: readonly GraphNode[], merges: readonly MergeRecord[]): GraphLayout {
  nodeIndex(nodes);
  const clusterOf = new Map<number, Cluster>(
    nodes.map((node) => [node.id, { ids: [node.id], lowest: node.loss, bottom: node.loss, certified: true }]),
  );
  for (const merge of merges) {
    const a = clusterOf.get(merge.left[0]);
    const b = clusterOf.get(merge.right[0]);
    if (a === undefined || b === undefined || a === b) {
      throw new InvalidArgumentError('merges', 'merges of mergeTree over these nodes', merge.level);
    }
    const [first, second] = siblingOrder(a, b);
    const joined: Cluster = {
      ids: [...a.ids, ...b.ids],
      lowest: Math.min(a.lowest, b.lowest),
      bottom: Math.max(merge.level, a.bottom, b.bottom),
      children: [first, second],
      certified: merge.certified,
      edge: merge.edge,
    };
    for (const id of joined.ids) clusterOf.set(id, joined);
  }
  const roots = [...new Set(clusterOf.values())].sort(
    (a, b) => a.lowest - b.lowest || Math.min(...a.ids) - Math.min(...b.ids),
  );
  const leaves: GraphLeaf[] = [];
  const place = (cluster: Cluster): number => {
    if (cluster.children === undefined) {
      cluster.x = leaves.length;
      leaves.push({ id: cluster.ids[0], x: cluster.x, loss: cluster.bottom });
    } else {
      cluster.x = (place(cluster.children[0]) + place(cluster.children[1])) / 2;
    }
    return cluster.x;
  };
  roots.forEach(place);
  const levels = [...nodes.map((n) => n.loss), ...roots.map((r) => r.bottom)];
  const low = Math.min(...levels);
  const high = Math.max(...levels);
  const top = high + OPEN_STEM_HEADROOM * (high > low ? high - low : Math.max(1, Math.abs(high)));
  const segments: GraphSegment[] = [];
  const draw = (
    cluster: Cluster,
    upTo: number,
    kind: 'stem' | 'open',
    edge: number | null,
    certified: boolean,
  ): void => {
    const x = cluster.x!;
    segments.push({ x1: x, y1: cluster.bottom, x2: x, y2: upTo, kind, certified, edge });
    if (cluster.children === undefined) return;
    const [first, second] = cluster.children;
    const own = cluster.edge ?? null;
    segments.push({
      x1: first.x!,
      y1: cluster.bottom,
      x2: second.x!,
      y2: cluster.bottom,
      kind: 'join',
      certified: cluster.certified,
      edge: own,
    });
    // A stem rises to its parent's join and belongs to that connection: drawn as certified as the join is.
    draw(first, cluster.bottom, 'stem', own, cluster.certified);
    draw(second, cluster.bottom, 'stem', own, cluster.certified);
  };
  for (const root of roots) draw(root, top, 'open', null, true);
  return { leaves, segments, top, components: mergeComponents(nodes, merges) };
}

/** The group holding the lower minimum first (then the lower id), so the drawing is a function of the tree. */
function siblingOrder(a: Cluster, b: Cluster): [Cluster, Cluster] {
  const before = a.lowest - b.lowest || Math.min(...a.ids) - Math.min(...b.ids);
  return before <= 0 ? [a, b] : [b, a];
}

function nodeIndex(nodes: readonly GraphNode[]): Map<number, number> {
  const index = new Map<number, number>();
  nodes.forEach((node, k) => {
    if (index.has(node.id)) throw new InvalidArgumentError(`nodes[${k}].id`, 'distinct node ids', node.id);
    if (!Number.isFinite(node.loss))
      throw new InvalidArgumentError(`nodes[${k}].loss`, 'a finite loss', node.loss);
    index.set(node.id, k);
  });
  return index;
}
