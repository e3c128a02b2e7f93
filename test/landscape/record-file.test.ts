import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileFormatError } from '../../src/core/errors.js';
import { parseLandscapeRecord } from '../../src/landscape/record-file.js';
import type { PathRecord } from '../../src/landscape/records.js';
import { landscapeGraphFixture } from '../web/landscape-fixture.js';

/** Parses `value` (an object is written as JSON) and returns the one-line error message it must raise. */
function refusal(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  try {
    parseLandscapeRecord(text, 'g.json');
  } catch (error) {
    assert.ok(error instanceof FileFormatError, `a FileFormatError, got ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return error.message;
  }
  assert.fail('the record was accepted');
}

describe('parseLandscapeRecord', () => {
  const graph = landscapeGraphFixture();

  it('reads a graph record and a path record back as written', () => {
    assert.deepEqual(parseLandscapeRecord(JSON.stringify(graph), 'g.json'), graph);
    const path: PathRecord = {
      kind: 'basin-landscape-path',
      version: 1,
      problem: graph.problem,
      connection: { ...graph.edges[0], from: 0, to: 1 },
    };
    assert.deepEqual(parseLandscapeRecord(JSON.stringify(path), 'p.json'), path);
  });

  it('names bad JSON, a wrong kind, a wrong version and a field of the wrong type', () => {
    assert.match(refusal('{"kind": '), /^g\.json: not a basin landscape record: invalid JSON/);
    assert.match(refusal('not JSON\nat all\n'), /^g\.json: not a basin landscape record: invalid JSON/);
    // A binary file (a PNG's header) quoted in the parser's message: no control characters reach the terminal.
    assert.doesNotMatch(refusal('\x89PNG\r\n\x1a\n\0\0\0'), /\p{Cc}/u);
    assert.match(
      refusal({ ...graph, kind: 'basin-weights' }),
      /^g\.json: not a basin landscape record: kind is "basin-weights", expected "basin-landscape-graph" or "basin-landscape-path"$/,
    );
    assert.match(refusal([1, 2]), /expected a JSON object$/);
    assert.match(
      refusal({ ...graph, version: 2 }),
      /^g\.json: unsupported basin-landscape-graph version 2; this basin reads version 1$/,
    );
    assert.match(
      refusal({ ...graph, nodes: [{ ...graph.nodes[0], loss: 'low' }, ...graph.nodes.slice(1)] }),
      /^g\.json: nodes\[0\]\.loss: expected a finite number, got "low"$/,
    );
    assert.match(
      refusal({
        ...graph,
        edges: [{ ...graph.edges[0], paths: [{ ...graph.edges[0].paths[0], method: 'spline' }] }],
      }),
      /^g\.json: edges\[0\]\.paths\[0\]\.method: expected one of "linear", "bezier", "polychain", "neb", got "spline"$/,
    );
  });

  it('refuses θ whose length is not the parameter count, and a count that does not match the problem', () => {
    const short = graph.nodes[1].theta.slice(1);
    assert.match(
      refusal({ ...graph, nodes: [graph.nodes[0], { ...graph.nodes[1], theta: short }, graph.nodes[2]] }),
      /^g\.json: nodes\[1\]\.theta has 8 entries, expected problem\.parameters = 9$/,
    );
    const saddle = { ...graph.edges[1].saddle!, theta: [...graph.edges[1].saddle!.theta, 0] };
    assert.match(
      refusal({ ...graph, edges: [graph.edges[0], { ...graph.edges[1], saddle }] }),
      /^g\.json: edges\[1\]\.saddle\.theta has 10 entries, expected problem\.parameters = 9$/,
    );
    assert.match(
      refusal({ ...graph, problem: { ...graph.problem, parameters: 13 } }),
      /^g\.json: problem\.parameters is 13, but xor with hidden widths 2 has 9 parameters$/,
    );
    assert.match(
      refusal({ ...graph, problem: { ...graph.problem, dataset: 'mnist' } }),
      /^g\.json: problem\.dataset: expected one of .*xor.*, got "mnist"$/,
    );
  });

  it('refuses references to nodes and edges that do not exist, and profiles of unequal length', () => {
    assert.match(
      refusal({ ...graph, edges: [{ ...graph.edges[0], to: 3 }, graph.edges[1]] }),
      /^g\.json: edges\[0\]\.to: expected a node id below 3, got 3$/,
    );
    assert.match(
      refusal({ ...graph, merges: [{ ...graph.merges[0], edge: 2 }] }),
      /^g\.json: merges\[0\]\.edge: expected an edge index below 2, got 2$/,
    );
    const path = { ...graph.edges[0].paths[0], loss: graph.edges[0].paths[0].loss.slice(1) };
    assert.match(
      refusal({ ...graph, edges: [{ ...graph.edges[0], paths: [path] }, graph.edges[1]] }),
      /^g\.json: edges\[0\]\.paths\[0\]: t has 11 entries but loss has 10$/,
    );
  });
});
