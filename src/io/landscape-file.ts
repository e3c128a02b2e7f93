import * as z from 'zod';
import { VERDICTS, type Verdict } from '../certify/verdict.js';
import { FileFormatError } from '../core/errors.js';
import type { GraphRecord, PathRecord } from '../landscape/records.js';
import type { LandscapeRecord } from '../report/landscape-section.js';
import { describeSchemaProblem } from './schema-issues.js';
import { readUserFile } from './user-file.js';

/*
 * Reading back what `basin landscape graph|path` write (src/landscape/records.ts), for `basin report --landscape`.
 * The schemas check every field a section reads, so a truncated or edited file is refused with the field at fault
 * instead of failing inside the drawing code; unknown fields are ignored, so later versions may add some.
 */

const finite = z.number({ error: 'a finite number' });
const id = z.number({ error: 'an integer ≥ 0' }).int({ error: 'an integer ≥ 0' }).min(0);
const verdict = z.enum(VERDICTS as [Verdict, ...Verdict[]]);

const problem = z.object({
  dataset: z.string(),
  hidden: z.array(id),
  activation: z.string(),
  loss: z.string(),
  parameters: id,
});

const profile = z.object({
  method: z.enum(['linear', 'bezier', 'polychain', 'neb']),
  t: z.array(finite),
  loss: z.array(finite),
  maxLoss: finite,
  peakT: finite,
  barrier: finite,
});

const saddle = z.object({
  certified: z.boolean(),
  reason: z.string(),
  verdict,
  rule: z.string(),
  strength: z.string(),
  morseIndex: id.nullable(),
  loss: finite,
  relativeGradient: finite,
  tangentOverlap: finite.nullable(),
  displacement: finite,
  theta: z.array(finite),
});

const connection = z.object({
  from: id,
  to: id,
  fromLoss: finite,
  toLoss: finite,
  distanceBefore: finite,
  distanceAfter: finite,
  sameMinimum: z.boolean(),
  paths: z.array(profile),
  saddle: saddle.nullable(),
  barrierFromStart: finite,
  barrierFromEnd: finite,
  topLoss: finite,
});

const graphSchema = z.object({
  kind: z.literal('basin-landscape-graph'),
  version: z.literal(1),
  problem,
  restarts: id,
  seed: id,
  nodes: z.array(
    z.object({ id, loss: finite, verdict, rule: z.string(), count: id, theta: z.array(finite) }),
  ),
  excluded: z.array(z.object({ loss: finite, verdict, rule: z.string(), count: id })),
  pairing: z.union([
    z.object({ kind: z.literal('all') }),
    z.object({ kind: z.literal('nearest'), k: id, maxPairs: id }),
  ]),
  seconds: z.object({ search: finite, connect: finite }),
  edges: z.array(connection),
  merges: z.array(
    z.object({ level: finite, left: z.array(id), right: z.array(id), edge: id, certified: z.boolean() }),
  ),
});

const pathSchema = z.object({
  kind: z.literal('basin-landscape-path'),
  version: z.literal(1),
  problem,
  connection,
});

const KINDS = ['basin-landscape-graph', 'basin-landscape-path'] as const;

/** Reads and checks a landscape record; `flag` names where the path came from in errors (e.g. `--landscape`). */
export function readLandscapeFile(path: string, flag: string): LandscapeRecord {
  const text = readUserFile(path, `the landscape record of ${flag}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(path, `not a landscape record: invalid JSON: ${(error as Error).message}`);
  }
  const kind = (json as { kind?: unknown } | null)?.kind;
  const schema = kind === KINDS[0] ? graphSchema : kind === KINDS[1] ? pathSchema : undefined;
  if (schema === undefined) {
    throw new FileFormatError(
      path,
      `not a landscape record: kind is ${JSON.stringify(kind)}, expected ${KINDS.map((k) => `"${k}"`).join(' or ')} (the --json of basin landscape graph or path)`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = describeSchemaProblem(parsed.error, json, schema);
    throw new FileFormatError(path, `${issue.field}: expected ${issue.expected}, got ${issue.received}`);
  }
  const record = parsed.data as GraphRecord | PathRecord;
  if (record.kind === 'basin-landscape-graph') requireConsistentGraph(path, record);
  return record;
}

/** The references inside a graph record: edges and merges name nodes and edges that exist. */
function requireConsistentGraph(path: string, record: GraphRecord): void {
  const ids = new Set(record.nodes.map((n) => n.id));
  if (ids.size !== record.nodes.length) throw new FileFormatError(path, 'nodes: two nodes share an id');
  record.edges.forEach((e, k) => {
    if (!ids.has(e.from) || !ids.has(e.to)) {
      throw new FileFormatError(path, `edges[${k}]: from and to must be node ids, got ${e.from} and ${e.to}`);
    }
  });
  record.merges.forEach((m, k) => {
    if (m.edge >= record.edges.length) {
      throw new FileFormatError(
        path,
        `merges[${k}].edge: expected an edge index < ${record.edges.length}, got ${m.edge}`,
      );
    }
    for (const node of [...m.left, ...m.right]) {
      if (!ids.has(node)) throw new FileFormatError(path, `merges[${k}]: ${node} is not a node id`);
    }
  });
}
