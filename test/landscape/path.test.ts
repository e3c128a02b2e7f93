import assert from 'node:assert/strict';
import { test } from 'node:test';
import { polish } from '../../src/certify/polish.js';
import { symmetricEigen } from '../../src/core/linalg/index.js';
import { gaussianRandomLabels } from '../../src/data/gaussian.js';
import { jellyfish } from '../../src/data/toy.js';
import { nudgedElasticBand } from '../../src/landscape/neb.js';
import { connectMinima } from '../../src/landscape/path.js';
import { parseLandscapeRecord } from '../../src/landscape/record-file.js';
import type { ConnectionRecord } from '../../src/landscape/records.js';
import { refineSaddle } from '../../src/landscape/saddle.js';
import { mlp } from '../../src/model/architecture.js';
import { lossAndGradient, lossValue } from '../../src/model/gradient.js';
import { denseHessian } from '../../src/model/hessian.js';
import { initialise } from '../../src/model/init.js';
import { makeSamples } from '../../src/model/samples.js';

const EPS = Number.EPSILON;

/*
 * L(w1, w2) = c·(w1·w2 − 1)²: a 1-1-1 network with a linear hidden unit and no biases on the sample x = 1, y = 1,
 * three times over with the `sse` loss, so c = 3. Minima fill the hyperbola w1·w2 = 1; the only other critical point
 * is the origin, where L = c, ∇L = 0 and H = [[0, −2c], [−2c, 0]]: eigenvalues ∓2c, the negative one along (1, 1)/√2.
 */
const linearNet = mlp(1, [1], 1, { kind: 'linear' }, false);
const c = 3;
const triple = makeSamples([1, 1, 1], [1, 1, 1], 1);
const from = Float64Array.of(2, 0.5);
const to = Float64Array.of(-0.5, -2);

test('a climbing-image band on a curved valley stops at its saddle, below the straight line', () => {
  // Two wells at (±1, 0) joined by the valley y = a(1 − x²); its top (0, a) is a saddle with L = 1 and H = diag(−4, 4).
  const a = 0.8;
  const objective = (p: Float64Array) => {
    const [x, y] = p;
    const g = y - a + a * x * x;
    return {
      loss: (x * x - 1) ** 2 + 2 * g * g,
      gradient: Float64Array.of(4 * x * (x * x - 1) + 8 * a * g * x, 4 * g),
    };
  };
  const band = nudgedElasticBand({
    objective,
    lossScale: 1,
    from: Float64Array.of(-1, 0),
    to: Float64Array.of(1, 0),
    images: 8,
  });
  assert.ok(band.converged, `max force ${band.maxForce} after ${band.iterations}`);
  assert.notEqual(band.climbingImage, null);
  const top = band.images[band.climbingImage ?? 0];
  assert.ok(Math.hypot(top[0], top[1] - a) < 1e-4, `climbing image at ${Array.from(top)}`);
  assert.ok(Math.abs(band.profile.maxLoss - 1) < 1e-8, `${band.profile.maxLoss}`);
  // The straight line crosses x = 0 at y = 0, where L = 1 + 2a²; the band goes round it.
  assert.ok(band.profile.barrier < 1 + 2 * a * a - 0.5, 'band.profile.barrier < 1 + 2 * a * a - 0.5');
  // The band crosses the saddle along its negative eigenvector (1, 0).
  assert.ok(
    Math.abs(band.tangents[band.climbingImage ?? 0][0]) > 0.999,
    'Math.abs(band.tangents[band.climbingImage ?? 0][0]) > 0.999',
  );
  assert.deepEqual(band.profile.t[0], 0);
  assert.deepEqual(band.profile.t.at(-1), 1);
  for (let i = 1; i < band.profile.t.length; i++)
    assert.ok(band.profile.t[i] > band.profile.t[i - 1], 'band.profile.t[i] > band.profile.t[i - 1]');
});

test('the closed-form saddle of c·(w1·w2 − 1)²: the climbing image refines to the origin, index 1, barrier c', () => {
  // Unaligned ends: the straight line from (2, 0.5) to (−0.5, −2) misses the origin, so the band has to find it.
  const band = nudgedElasticBand({
    architecture: linearNet,
    loss: 'sse',
    samples: triple,
    from,
    to,
    images: 6,
  });
  assert.ok(band.converged, `max force ${band.maxForce}`);
  const climbing = band.climbingImage ?? -1;
  assert.ok(climbing > 0, 'climbing > 0');
  const refined = refineSaddle({
    architecture: linearNet,
    loss: 'sse',
    samples: triple,
    start: band.images[climbing],
    tangent: band.tangents[climbing],
    from,
    to,
  });
  const { record } = refined;
  assert.ok(refined.converged, 'refined.converged');
  assert.ok(Math.hypot(...record.theta) < 1e-14, `refined to ${record.theta}`);
  assert.equal(record.certified, true, record.reason);
  assert.equal(record.verdict, 'saddle');
  assert.equal(record.rule, 'second-order');
  assert.equal(record.strength, 'proved');
  assert.equal(record.morseIndex, 1);
  assert.ok(Math.abs(record.loss - c) <= 4 * EPS * c, `L = ${record.loss}`);
  assert.ok(record.tangentOverlap !== null && record.tangentOverlap > 0.9, `${record.tangentOverlap}`);
  // The dense Hessian there: eigenvalues −2c and 2c, the negative one along (1, 1)/√2.
  const theta = Float64Array.from(record.theta);
  const { values, vectors } = symmetricEigen(denseHessian(linearNet, 'sse', theta, triple), 2, {
    vectors: true,
  });
  assert.ok(Math.abs(values[0] + 2 * c) <= 8 * EPS * c, `${values[0]}`);
  assert.ok(Math.abs(values[1] - 2 * c) <= 8 * EPS * c, `${values[1]}`);
  const v = vectors as Float64Array;
  assert.ok(Math.abs(Math.abs(v[0] + v[2]) / Math.SQRT2 - 1) <= 1e-12, `eigenvector (${v[0]}, ${v[2]})`);
  assert.ok(record.displacement > 0 && record.displacement < 0.01, `${record.displacement}`);
});

test('connectMinima across the closed-form saddle: the band leaves the straight line for the certified saddle, barrier exactly c', () => {
  const stages = new Set<string>();
  const edge = connectMinima({
    architecture: linearNet,
    loss: 'sse',
    samples: triple,
    from,
    to,
    fromId: 3,
    toId: 7,
    images: 5,
    onProgress: (stage) => stages.add(stage),
  });
  assert.deepEqual([...stages], ['align', 'linear', 'curve', 'neb', 'saddle']);
  assert.equal(edge.from, 3);
  assert.equal(edge.to, 7);
  assert.equal(edge.sameMinimum, false);
  assert.equal(edge.fromLoss, 0);
  assert.equal(edge.toLoss, 0);
  // Rescaling (−0.5, −2) to the reference's unit scale gives (−2, −0.5), farther from (2, 0.5) than it is: the ends
  // stay as given, and the straight line between them misses the origin.
  assert.equal(edge.distanceAfter, edge.distanceBefore);
  assert.ok(edge.paths[0].maxLoss > 2 * c, `line max ${edge.paths[0].maxLoss}`);
  assert.deepEqual(
    edge.paths.map((p) => p.method),
    ['linear', 'bezier', 'neb'],
  );
  assert.ok(edge.saddle !== null, 'edge.saddle !== null');
  assert.equal(edge.saddle.certified, true, edge.saddle.reason);
  assert.equal(edge.saddle.morseIndex, 1);
  assert.ok(Math.abs(edge.barrierFromStart - c) <= 4 * EPS * c, `${edge.barrierFromStart}`);
  assert.ok(
    Math.abs(edge.barrierFromEnd - c) <= 4 * EPS * c,
    'Math.abs(edge.barrierFromEnd - c) <= 4 * EPS * c',
  );
  assert.equal(edge.topLoss, edge.saddle.loss);
  assertWellFormed(edge);
  // Without the trained curve the band starts on the straight line and still reaches the same certified saddle.
  const straight = connectMinima({
    architecture: linearNet,
    loss: 'sse',
    samples: triple,
    from,
    to,
    images: 5,
    curve: false,
  });
  assert.deepEqual(
    straight.paths.map((p) => p.method),
    ['linear', 'neb'],
  );
  assert.equal(straight.saddle?.certified, true, straight.saddle?.reason);
  assert.ok(Math.abs(straight.barrierFromStart - c) <= 4 * EPS * c, `${straight.barrierFromStart}`);
});

test('two permuted and rescaled copies of one polished minimum are the same minimum, at zero barrier', () => {
  const relu = { kind: 'leaky-relu', slope: 0 } as const;
  const net = mlp(2, [3], 1, relu, true);
  const data = gaussianRandomLabels({ count: 10, inputDim: 2, seed: 5 });
  const minimum = polish(net, 'mse', Float64Array.from(initialise(net, { kind: 'pytorch' }, 3)), data).theta;
  // Units 0 and 2 swap (weights 0–5, biases 6–8, output weights 9–11); unit 1 is scaled by 2.5.
  const copy = Float64Array.from(minimum);
  for (const [i, j] of [
    [0, 4],
    [1, 5],
    [6, 8],
    [9, 11],
  ]) {
    [copy[i], copy[j]] = [minimum[j], minimum[i]];
  }
  for (const k of [2, 3, 7]) copy[k] *= 2.5;
  copy[10] /= 2.5;
  const edge = connectMinima({ architecture: net, loss: 'mse', samples: data, from: minimum, to: copy });
  assert.ok(edge.distanceBefore > 0.1, 'edge.distanceBefore > 0.1');
  assert.equal(edge.sameMinimum, true);
  assert.equal(edge.saddle, null);
  assert.equal(edge.barrierFromStart, 0);
  assert.equal(edge.barrierFromEnd, 0);
  assert.ok(
    Math.abs(edge.topLoss - lossValue(net, 'mse', minimum, data)) <= 1e-13 * edge.topLoss,
    "Math.abs(edge.topLoss - lossValue(net, 'mse', minimum, data)) <= 1e-13 * edge.topLoss",
  );
  assertWellFormed(edge);
});

test('refineSaddle says why a point is not a certified saddle: a minimum, index 2, Newton stopped', () => {
  const atMinimum = refineSaddle({
    architecture: linearNet,
    loss: 'sse',
    samples: triple,
    start: Float64Array.of(1, 1),
    from,
    to,
  }).record;
  assert.equal(atMinimum.certified, false);
  assert.match(
    atMinimum.reason,
    /^the refined point is a minimum: L = .* \(verdict global, rule zero-loss, proved\)$/,
  );
  // c·(v1·w1 + v2·w2 − 1)² at the origin: two copies of the closed-form saddle, index 2.
  const wide = mlp(1, [2], 1, { kind: 'linear' }, false);
  const index2 = refineSaddle({
    architecture: wide,
    loss: 'sse',
    samples: triple,
    start: new Float64Array(4),
    from: Float64Array.of(1, 0, 1, 0),
    to: Float64Array.of(-1, 0, -1, 0),
  }).record;
  assert.equal(index2.certified, false);
  assert.equal(index2.morseIndex, 2);
  assert.match(index2.reason, /^index 2 > 1 \(verdict saddle, rule second-order/);
  const stopped = refineSaddle({
    architecture: linearNet,
    loss: 'sse',
    samples: triple,
    start: Float64Array.of(0.3, 0.1),
    from,
    to,
    maxIterations: 0,
  }).record;
  assert.equal(stopped.certified, false);
  assert.match(
    stopped.reason,
    /^Newton did not converge: ‖∇L‖\/lossScale = \d\.\d\de[+-]\d+ after 0 step\(s\) \(verdict not-critical, rule gradient/,
  );
});

test('tanh 1-2-1: flipping one unit of a global minimum crosses a certified saddle along its negative eigenvector', () => {
  // The teacher y = tanh(2x) + 0.7·tanh(−x) on six points; tanh is odd, so (w, v) → (−w, −v) on one unit keeps the
  // function. Between the two copies the flipped unit must pass through w = v = 0, and the saddle there is the other
  // unit alone at its best single-unit fit: a critical point of the 1-1-1 net, with one negative direction.
  const net = mlp(1, [2], 1, { kind: 'tanh' }, false);
  const xs = [-2, -1, -0.5, 0.3, 1, 1.7];
  const samples = makeSamples(
    xs,
    xs.map((x) => Math.tanh(2 * x) + 0.7 * Math.tanh(-x)),
    1,
  );
  const minimum = polish(net, 'mse', Float64Array.of(1, 1, -1, 0.5), samples).theta;
  const flipped = Float64Array.from(minimum);
  flipped[0] = -flipped[0]; // unit 0's incoming weight
  flipped[2] = -flipped[2]; // and its outgoing weight
  const edge = connectMinima({
    architecture: net,
    loss: 'mse',
    samples,
    from: minimum,
    to: flipped,
    images: 8,
  });
  assertWellFormed(edge);
  assert.ok(edge.saddle !== null, 'a saddle record');
  assert.equal(edge.saddle.certified, true, edge.saddle.reason);
  assert.equal(edge.saddle.morseIndex, 1);
  assert.ok(
    edge.saddle.tangentOverlap !== null && edge.saddle.tangentOverlap > 0.9,
    `${edge.saddle.tangentOverlap}`,
  );
  const [w0, w1, v0, v1] = edge.saddle.theta;
  assert.ok(Math.abs(w0) < 1e-12 && Math.abs(v0) < 1e-12, `flipped unit at (${w0}, ${v0})`);
  const single = mlp(1, [1], 1, { kind: 'tanh' }, false);
  const alone = lossAndGradient(single, 'mse', Float64Array.of(w1, v1), samples);
  assert.ok(Math.hypot(...alone.gradient) < 1e-12, `single-unit gradient ${Array.from(alone.gradient)}`);
  assert.ok(
    Math.abs(alone.loss - edge.saddle.loss) <= 1e-13 * alone.loss,
    `${alone.loss} vs ${edge.saddle.loss}`,
  );
  assert.equal(edge.topLoss, edge.saddle.loss);
});

/*
 * Two distinct minima of Jellyfish with 2 ReLU units (`mse`, biases): canonical θ of two end points of
 * multistartSearch({ restarts: 100, seed: 1, certify: { probes: false } }). Whatever the saddle between them turns out
 * to be, the record must be complete and, when not certified, say why with the verdict's rule.
 */
test('Jellyfish 2-2-1 ReLU: the connection between two minima is well formed, and an uncertified saddle names its rule', () => {
  const net = mlp(2, [2], 1, { kind: 'leaky-relu', slope: 0 }, true);
  const set = jellyfish();
  const edge = connectMinima({
    architecture: net,
    loss: 'mse',
    samples: set,
    from: JELLYFISH_A,
    to: JELLYFISH_B,
    images: 8,
    certify: { probes: false },
  });
  assertWellFormed(edge);
  // And it is what `basin landscape path` writes and the explorer reads.
  const record = {
    kind: 'basin-landscape-path',
    version: 1,
    problem: { dataset: 'jellyfish', hidden: [2], activation: 'relu', loss: 'mse', parameters: 9 },
    connection: edge,
  };
  assert.deepEqual(parseLandscapeRecord(JSON.stringify(record)), record);
  assert.equal(edge.sameMinimum, false);
  // The band climbs above the higher end (L = 2/3), so there is a saddle record to explain.
  assert.ok(edge.saddle !== null, `band max ${edge.paths[1].maxLoss}`);
  if (!edge.saddle.certified) {
    assert.ok(edge.saddle.reason.length > 0, 'edge.saddle.reason.length > 0');
    assert.ok(edge.saddle.reason.includes(`rule ${edge.saddle.rule}`), edge.saddle.reason);
  }
});

test('bad options get one-line errors that name the field', () => {
  const base = { architecture: linearNet, loss: 'sse' as const, samples: triple, from, to };
  assert.throws(
    () => connectMinima({ ...base, images: 0 }),
    /^InvalidArgumentError: images: expected an integer/,
  );
  assert.throws(() => connectMinima({ ...base, maxIterations: -1 }), /maxIterations: expected/);
  // Refused even when the ends are one minimum and no band would run.
  assert.throws(() => connectMinima({ ...base, to: from, images: 2.5 }), /images: expected an integer/);
  assert.throws(() => connectMinima({ ...base, fromId: 1.5 }), /fromId: expected an integer/);
  assert.throws(
    // @ts-expect-error: an unknown curve kind, as plain JavaScript could pass it
    () => connectMinima({ ...base, curve: 'spline' }),
    /curve: expected bezier, polychain or false/,
  );
  assert.throws(() => connectMinima({ ...base, curveSteps: -1 }), /curveSteps: expected/);
  assert.throws(
    () => connectMinima({ ...base, to: Float64Array.of(1, 2, 3) }),
    /^InvalidArgumentError: to: expected 2 parameters/,
  );
  assert.throws(
    () => connectMinima({ ...base, from: Float64Array.of(NaN, 1) }),
    /from\[0\]: expected a finite number/,
  );
  assert.throws(
    () => nudgedElasticBand({ ...base, initialImages: [Float64Array.of(1)] }),
    /initialImages\[0\]: expected 2 parameters/,
  );
  assert.throws(
    () =>
      nudgedElasticBand({
        objective: () => ({ loss: 0, gradient: Float64Array.of(0) }),
        lossScale: 0,
        from: Float64Array.of(0),
        to: Float64Array.of(1),
      }),
    /lossScale: expected a finite number/,
  );
  assert.throws(() => nudgedElasticBand({ ...base, forceTolerance: -1 }), /forceTolerance: expected/);
  // A band that would not fit in memory is refused before anything is allocated.
  const huge = new Float64Array(2_000_000);
  assert.throws(
    () =>
      nudgedElasticBand({
        objective: () => ({ loss: 0, gradient: huge }),
        lossScale: 1,
        from: huge,
        to: huge,
        images: 10_000,
      }),
    /^SizeLimitError: images: a band of 10000 images of 2000000 parameters would need/,
  );
});

function assertWellFormed(edge: ConnectionRecord): void {
  const finite = (value: number, what: string) => assert.ok(Number.isFinite(value), `${what} = ${value}`);
  finite(edge.fromLoss, 'fromLoss');
  finite(edge.toLoss, 'toLoss');
  finite(edge.topLoss, 'topLoss');
  assert.ok(
    edge.topLoss >= Math.max(edge.fromLoss, edge.toLoss) - 1e-13 * edge.topLoss,
    'edge.topLoss >= Math.max(edge.fromLoss, edge.toLoss) - 1e-13 * edge.topLoss',
  );
  assert.equal(edge.barrierFromStart, edge.sameMinimum ? 0 : edge.topLoss - edge.fromLoss);
  assert.equal(edge.barrierFromEnd, edge.sameMinimum ? 0 : edge.topLoss - edge.toLoss);
  assert.ok(
    edge.distanceAfter <= edge.distanceBefore + 1e-12,
    'edge.distanceAfter <= edge.distanceBefore + 1e-12',
  );
  assert.ok(edge.paths.length >= 1, 'edge.paths.length >= 1');
  for (const path of edge.paths) {
    assert.equal(path.t.length, path.loss.length);
    assert.equal(path.t[0], 0);
    assert.equal(path.t.at(-1), 1);
    path.loss.forEach((value) => finite(value, `${path.method} loss`));
    // A trained curve's maximum is refined between its grid points, so it may exceed the grid's highest value.
    if (path.method === 'bezier' || path.method === 'polychain') {
      assert.ok(path.maxLoss >= Math.max(...path.loss), `${path.method} maxLoss below its grid`);
    } else assert.equal(path.maxLoss, Math.max(...path.loss));
    assert.equal(path.barrier, path.maxLoss - Math.max(path.loss[0], path.loss.at(-1) ?? 0));
  }
  if (edge.saddle !== null) {
    const s = edge.saddle;
    assert.ok(s.reason.length > 0, 's.reason.length > 0');
    finite(s.loss, 'saddle loss');
    finite(s.relativeGradient, 'relativeGradient');
    finite(s.displacement, 'displacement');
    s.theta.forEach((value) => finite(value, 'saddle θ'));
    if (s.tangentOverlap !== null)
      assert.ok(
        s.tangentOverlap >= 0 && s.tangentOverlap <= 1 + 1e-12,
        's.tangentOverlap >= 0 && s.tangentOverlap <= 1 + 1e-12',
      );
    assert.equal(edge.topLoss, s.certified ? s.loss : Math.min(...edge.paths.map((p) => p.maxLoss)));
  }
  // Plain JSON: a round trip changes nothing.
  assert.deepEqual(JSON.parse(JSON.stringify(edge)), edge);
}

// L = 0.5 and L = 2/3 (both `local-min` by the convex-pieces rule).
const JELLYFISH_A = Float64Array.of(
  -0.6311089456102185,
  0.7098474242477628,
  0.7842534317623941,
  -0.47211720785851075,
  -0.3127589056439082,
  -0.4025567001215997,
  -2.518330178661388,
  2.6198809607335107,
  -5.002033378127553e-14,
);
const JELLYFISH_B = Float64Array.of(
  -0.9799244393079489,
  -0.18468913345164778,
  -0.5162832898475046,
  0.7580579129139027,
  0.07508673139697428,
  -0.39849688241296893,
  0.23996997074837562,
  -3.708225364343367,
  0.3333333333330937,
);
