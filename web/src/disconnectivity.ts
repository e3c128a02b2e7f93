import { landscape } from 'basin';

/*
 * The explorer's drawing of a disconnectivity graph: the library's layout (`landscape.graphLayout`, the one the
 * report's figure uses) with each line styled by whether its connection is certified, and each leaf carrying its
 * restart count.
 * Pure data, so Node tests check it; the view draws it with Vega-Lite.
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

export function disconnectivityLayout(
  nodes: readonly Pick<landscape.MinimumRecord, 'id' | 'loss' | 'count'>[],
  merges: readonly landscape.MergeRecord[],
): GraphLayout {
  const layout = landscape.graphLayout(nodes, merges);
  // Open tops mark groups that no connection joins; one tree (or a lone minimum) needs none but its own stem.
  const separate = layout.components.length > 1 || merges.length === 0;
  const segments = layout.segments
    .filter((segment) => segment.kind !== 'open' || separate)
    .map((segment): GraphSegment => ({
      x: segment.x1,
      y: segment.y1,
      x2: segment.x2,
      y2: segment.y2,
      style:
        segment.kind === 'open'
          ? 'no connection found'
          : segment.certified
            ? 'certified saddle'
            : 'saddle not certified',
      edge: segment.edge,
    }));
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const leaves = layout.leaves.map((leaf): GraphLeaf => {
    const node = byId.get(leaf.id)!;
    return { node: leaf.id, x: leaf.x, loss: node.loss, count: node.count };
  });
  return { segments, leaves, top: layout.top };
}
