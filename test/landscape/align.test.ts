import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalise } from '../../src/certify/symmetry.js';
import { Rng } from '../../src/core/rng.js';
import { alignNetworks } from '../../src/landscape/align.js';
import { lossAlongSegment } from '../../src/landscape/segment.js';
import { parameterLayout, mlp } from '../../src/model/architecture.js';
import { lossValue } from '../../src/model/gradient.js';
import { initialise } from '../../src/model/init.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';

const relu = { kind: 'leaky-relu', slope: 0 } as const;

/** A copy of θ with every hidden layer's units shuffled and rescaled by random positive factors: the same function. */
function disguise(net: ReturnType<typeof mlp>, theta: Float64Array, rng: Rng): Float64Array {
  const layout = parameterLayout(net);
  const out = Float64Array.from(theta);
  net.hidden.forEach((hidden, l) => {
    const incoming = layout.layers[l];
    const outgoing = layout.layers[l + 1];
    const order = Array.from({ length: hidden.width }, (_, k) => k);
    for (let k = order.length - 1; k > 0; k--) {
      const j = rng.integer(k + 1);
      [order[k], order[j]] = [order[j], order[k]];
    }
    const source = Float64Array.from(out);
    order.forEach((old, unit) => {
      const scale = 0.25 + 3 * rng.uniform();
      for (let i = 0; i < incoming.inputs; i++) {
        out[incoming.weightOffset + unit * incoming.inputs + i] =
          scale * source[incoming.weightOffset + old * incoming.inputs + i];
      }
      if (incoming.biasOffset !== undefined)
        out[incoming.biasOffset + unit] = scale * source[incoming.biasOffset + old];
      for (let o = 0; o < outgoing.outputs; o++) {
        const row = outgoing.weightOffset + o * outgoing.inputs;
        out[row + unit] = source[row + old] / scale;
      }
    });
  });
  return out;
}

test('two permuted and rescaled copies of one network align to distance 0, and the segment between them is flat', () => {
  const rng = new Rng(11);
  for (const hidden of [[5], [4, 3]]) {
    const net = mlp(3, hidden, 1, relu, true);
    const data = gaussianRandomLabels({ count: 12, inputDim: 3, seed: 4 });
    const theta = Float64Array.from(initialise(net, { kind: 'pytorch' }, 7));
    const copy = disguise(net, theta, rng);
    const loss = lossValue(net, 'mse', theta, data);
    assert.ok(
      Math.abs(lossValue(net, 'mse', copy, data) - loss) <= 1e-12 * loss,
      'the disguise keeps the function',
    );
    const aligned = alignNetworks(net, theta, copy);
    assert.ok(aligned.distanceBefore > 0.5, `${aligned.distanceBefore}`);
    assert.ok(aligned.distanceAfter <= 1e-12, `${hidden}: aligned distance ${aligned.distanceAfter}`);
    assert.deepEqual(aligned.reference, theta);
    const a = canonicalise(net, aligned.theta);
    const b = canonicalise(net, theta);
    assert.ok(
      a.every((value, k) => Math.abs(value - b[k]) <= 1e-12),
      'same canonical form up to rounding',
    );
    // Before alignment the straight line between the copies climbs; after it, it stays at the minimum's loss.
    const raw = lossAlongSegment({
      architecture: net,
      loss: 'mse',
      samples: data,
      from: theta,
      to: copy,
      intervals: 20,
    });
    const flat = lossAlongSegment({
      architecture: net,
      loss: 'mse',
      samples: data,
      from: aligned.reference,
      to: aligned.theta,
      intervals: 20,
    });
    assert.ok(raw.barrier > 0, `unaligned barrier ${raw.barrier}`);
    assert.ok(Math.abs(flat.barrier) <= 1e-12 * loss, `aligned barrier ${flat.barrier}`);
  }
});

test("alignment keeps the reference where it is, never moves θ farther from it, and keeps θ's function", () => {
  const net = mlp(3, [6], 1, relu, true);
  const data = gaussianRandomLabels({ count: 10, inputDim: 3, seed: 2 });
  let permuted = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const a = Float64Array.from(initialise(net, { kind: 'pytorch' }, seed));
    const b = Float64Array.from(initialise(net, { kind: 'pytorch' }, seed + 100));
    const aligned = alignNetworks(net, a, b);
    assert.deepEqual(aligned.reference, a);
    assert.ok(aligned.distanceAfter <= aligned.distanceBefore, `seed ${seed}`);
    const before = lossValue(net, 'mse', b, data);
    assert.ok(
      Math.abs(lossValue(net, 'mse', aligned.theta, data) - before) <= 1e-12 * before,
      `seed ${seed}`,
    );
    if (aligned.permuted) permuted++;
  }
  // Most random pairs get closer by permuting; the count shows the permuted branch is the one exercised.
  assert.ok(permuted >= 10, `${permuted} of 20 permuted`);
});

test('alignNetworks names the argument with the wrong length', () => {
  const net = mlp(2, [3], 1, relu, true);
  const theta = Float64Array.from(initialise(net, { kind: 'pytorch' }, 1));
  assert.throws(() => alignNetworks(net, theta, new Float64Array(3)), /theta/);
  assert.throws(() => alignNetworks(net, new Float64Array(2), theta), /reference/);
});
