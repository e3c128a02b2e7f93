import type { landscape } from 'basin';

/*
 * The layout of a disconnectivity graph (Becker & Karplus 1997; Wales's minima–saddle trees) from a record's merges:
 * each minimum is a vertical line from its loss up to the level where its group joins another, and a horizontal line
 * at that level joins the two groups. Pure data, so Node tests check it; the view draws it with Vega-Lite.
 */

export type JoinStyle = 'certified saddle' | 'saddle not certified' | 'no connection found';

export interface GraphSegment {
  readonly x: number;
  readonly y: number;
  readonly x2: number;
  readonly y2: number;
  readonly style: JoinStyle;
  /** The edge (index into GraphRecord.edges) that this line belongs to; null for the open tops of the groups. */
  readonly edge: number | null;
}

export interface GraphLeaf {
  readonly node: number;
  readonly x: number;
  readonly loss: number;
  readonly count: number;
}

export interface GraphLayout {
  readonly segments: readonly GraphSegment[];
  readonly leaves: readonly GraphLeaf[];
  /** A little above the highest merge or minimum: where open tops end, and the chart's upper edge. */
  readonly top: number;
}

interface Cluster {
  readonly children: readonly [Cluster, Cluster] | undefined;
  readonly node: number | undefined;
  /** The loss of a leaf, the level of a merge. */
  readonly y: number;
  /** The lowest minimum inside: children are drawn lowest first, so the global minimum sits on the left. */
  readonly lowest: number;
  readonly merge: landscape.MergeRecord | undefined;
  x: number;
}

/** How far above the highest merge the open tops reach, as a fraction of the drawn loss range. */
const TOP_MARGIN = 0.08;

export function disconnectivityLayout(
  nodes: readonly Pick<landscape.MinimumRecord, 'id' | 'loss' | 'count'>[],
  merges: readonly landscape.MergeRecord[],
): GraphLayout {
  const owner: Cluster[] = nodes.map((node) => ({
    children: undefined,
    node: node.id,
    y: node.loss,
    lowest: node.loss,
    merge: undefined,
    x: 0,
  }));
  const roots = new Set<Cluster>(owner);
  for (const merge of [...merges].sort((a, b) => a.level - b.level)) {
    const left = owner[merge.left[0]];
    const right = owner[merge.right[0]];
    if (left === right) continue;
    const children: [Cluster, Cluster] = left.lowest <= right.lowest ? [left, right] : [right, left];
    const joined: Cluster = {
      children,
      node: undefined,
      y: merge.level,
      lowest: Math.min(left.lowest, right.lowest),
      merge,
      x: 0,
    };
    roots.delete(left);
    roots.delete(right);
    roots.add(joined);
    owner.forEach((cluster, id) => {
      if (cluster === left || cluster === right) owner[id] = joined;
    });
  }
  const leaves: GraphLeaf[] = [];
  const segments: GraphSegment[] = [];
  const place = (cluster: Cluster): void => {
    if (cluster.children === undefined) {
      cluster.x = leaves.length;
      const node = nodes[cluster.node!];
      leaves.push({ node: node.id, x: cluster.x, loss: node.loss, count: node.count });
      return;
    }
    const [a, b] = cluster.children;
    place(a);
    place(b);
    cluster.x = (a.x + b.x) / 2;
    const merge = cluster.merge!;
    const style: JoinStyle = merge.certified ? 'certified saddle' : 'saddle not certified';
    for (const child of cluster.children) {
      segments.push({ x: child.x, y: child.y, x2: child.x, y2: merge.level, style, edge: merge.edge });
    }
    segments.push({ x: a.x, y: merge.level, x2: b.x, y2: merge.level, style, edge: merge.edge });
  };
  const ordered = [...roots].sort((a, b) => a.lowest - b.lowest);
  for (const root of ordered) place(root);
  const levels = [...nodes.map((node) => node.loss), ...merges.map((merge) => merge.level)];
  const low = Math.min(...levels);
  const high = Math.max(...levels);
  const top = high + TOP_MARGIN * (high - low || Math.abs(high) || 1);
  // Groups that no connection joins are separate funnels as far as the record knows: each gets an open top. One
  // tree needs none.
  if (ordered.length > 1)
    for (const root of ordered) {
      segments.push({ x: root.x, y: root.y, x2: root.x, y2: top, style: 'no connection found', edge: null });
    }
  return { segments, leaves, top };
}
