import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeState, DEFAULT_STATE, encodeState, type ExplorerState } from '../../web/src/state.js';

describe('explorer state in the URL', () => {
  it('round-trips every field', () => {
    const state: ExplorerState = {
      view: 'landscape',
      data: { kind: 'teacher', count: 123, inputDim: 5, seed: 9 },
      model: { widths: [8, 3], activation: 'leaky-relu:0.1', bias: false, loss: 'sse', slopeNoise: 0.25 },
      init: { kind: 'gaussian', mean: -0.5, scale: 0.01, seed: 77 },
      optimiser: { kind: 'lbfgs', learningRate: 0.5, batchSize: 7, epochs: 1234, engine: 'webgpu' },
      trained: true,
      landscape: { mode: 'segment', span: 2.5, resolution: 41, directionSeed: 3, restarts: 12 },
    };
    const decoded = decodeState(encodeState(state));
    assert.deepEqual(decoded.problems, []);
    assert.deepEqual(decoded.state, state);
  });

  it('keeps defaults for malformed parameters and names each one', () => {
    const decoded = decodeState('#widths=8,0&lr=fast&data=mnist&bogus=1&epochs=50');
    assert.equal(decoded.state.optimiser.epochs, 50);
    assert.deepEqual(decoded.state.model.widths, DEFAULT_STATE.model.widths);
    assert.equal(decoded.state.optimiser.learningRate, DEFAULT_STATE.optimiser.learningRate);
    assert.equal(decoded.state.data.kind, DEFAULT_STATE.data.kind);
    const text = decoded.problems.join('\n');
    assert.match(text, /"widths": expected an integer in \[1, 64\], got "0"/);
    assert.match(text, /"lr": expected a number in \[1e-9, 100\], got "fast"/);
    assert.match(text, /"data": expected one of gaussian, teacher, .*got "mnist"/);
    assert.match(text, /"bogus" is not one the explorer knows/);
  });

  it('trains on the CPU unless the link asks for WebGPU', () => {
    assert.equal(decodeState('').state.optimiser.engine, 'cpu');
    assert.equal(decodeState('engine=webgpu').state.optimiser.engine, 'webgpu');
    assert.match(decodeState('engine=cuda').problems[0], /"engine": expected one of cpu, webgpu/);
  });

  it('turns slope noise off with "off" and rejects a leaky slope of 1', () => {
    assert.equal(decodeState('noise=off').state.model.slopeNoise, null);
    assert.match(decodeState('act=leaky-relu:1').problems[0], /ρ ≠ 1/);
  });
});
