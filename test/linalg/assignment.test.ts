import assert from 'node:assert/strict';
import { test } from 'node:test';
import { solveAssignment } from '../../src/core/linalg/assignment.js';
import { Rng } from '../../src/core/rng.js';
import { gaussianMatrix, numpySkipReason, runPython } from './numpy-oracle.js';

const total = (cost: Float64Array, n: number, assignment: Int32Array): number =>
  Array.from(assignment).reduce((sum, column, row) => sum + cost[row * n + column], 0);

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, k) => [...p.slice(0, k), n - 1, ...p.slice(k)]),
  );
}

test('solveAssignment finds the cheapest permutation (brute force over all 6! for 6 × 6 matrices)', () => {
  const rng = new Rng(3);
  const all = permutations(6);
  for (let trial = 0; trial < 20; trial++) {
    const cost = gaussianMatrix(rng, 6, 6);
    const assignment = solveAssignment(cost, 6);
    assert.deepEqual([...assignment].sort(), [0, 1, 2, 3, 4, 5]);
    const best = Math.min(...all.map((p) => p.reduce((sum, column, row) => sum + cost[row * 6 + column], 0)));
    assert.ok(Math.abs(total(cost, 6, assignment) - best) <= 1e-12, `trial ${trial}`);
  }
});

test(
  'solveAssignment agrees with scipy.optimize.linear_sum_assignment on 40 × 40 costs',
  { skip: numpySkipReason() },
  () => {
    const rng = new Rng(5);
    const n = 40;
    const costs = Array.from({ length: 5 }, () =>
      gaussianMatrix(rng, n, n).map((x) => Math.round(x * 1e6) / 1e6),
    );
    const oracle = runPython<number[]>(
      'import json, sys, numpy as np\n' +
        'from scipy.optimize import linear_sum_assignment\n' +
        'costs = json.load(sys.stdin)\n' +
        'out = []\n' +
        'for c in costs:\n' +
        '    m = np.array(c).reshape(40, 40)\n' +
        '    r, k = linear_sum_assignment(m)\n' +
        '    out.append(float(m[r, k].sum()))\n' +
        'print(json.dumps(out))\n',
      costs.map((c) => Array.from(c)),
    );
    costs.forEach((cost, k) => {
      const ours = total(cost, n, solveAssignment(cost, n));
      assert.ok(Math.abs(ours - oracle[k]) <= 1e-9, `matrix ${k}: ${ours} vs scipy ${oracle[k]}`);
    });
  },
);

test('solveAssignment refuses a cost matrix of the wrong size or with NaN, and handles n = 0 and ties', () => {
  assert.throws(() => solveAssignment(new Float64Array(3), 2), /cost.*4 entries/);
  assert.throws(() => solveAssignment(Float64Array.from([0, NaN, 1, 2]), 2), /cost/);
  assert.deepEqual([...solveAssignment(new Float64Array(0), 0)], []);
  const tied = solveAssignment(new Float64Array(9), 3);
  assert.deepEqual([...tied].sort(), [0, 1, 2]);
});
