import { type FloatArray } from '../core/dtype.js';
import { InvalidArgumentError } from '../core/errors.js';
import { MinibatchSampler } from './minibatches.js';
import type { Evaluation, Objective } from './objective.js';
import { batchSizeOf, type OptimiserConfig, optimiserMethod, validateOptimiser } from './optimiser.js';
import { learningRateAt, type Schedule, validateSchedule } from './schedule.js';
import { type StoppingRule, type StopReason, targetReached, validateStoppingRule } from './stopping.js';
import { allFinite, norm2 } from './vector.js';

export interface EpochProgress {
  /** 0-based index of the epoch. */
  readonly epoch: number;
  /**
   * Epochs applied to θ at the moment of this report: `epoch` for full-batch optimisers (they report at the start
   * of an epoch, before its step; the first report is the starting point), `epoch + 1` for minibatch ones (they
   * report at the end of an epoch, after its updates).
   */
  readonly epochsCompleted: number;
  readonly maxEpochs: number;
  /** The epoch's traced loss (see `TrainTrace.lossKind`). */
  readonly loss: number;
  readonly learningRate: number;
  readonly elapsedSeconds: number;
}

export interface TrainOptions {
  readonly objective: Objective;
  /** Starting point; copied, never modified. Its precision (Float64Array or Float32Array) is kept throughout. */
  readonly initialTheta: FloatArray;
  readonly optimiser: OptimiserConfig;
  readonly schedule: Schedule;
  readonly stopping: StoppingRule;
  /** Seed of the minibatch permutations (unused by full-batch optimisers). */
  readonly shuffleSeed: number;
  readonly onEpoch?: (progress: EpochProgress) => void;
  /**
   * A stopping rule that needs the weights (e.g. "0% training error", which the loss alone cannot tell). Called
   * after each `onEpoch` report, with the same progress and θ after `progress.epochsCompleted` epochs; returning
   * true ends training there with stop reason `callback`, and the result's θ is exactly the θ shown (its `epochs` is
   * `progress.epochsCompleted`). Loss and gradient-norm targets are checked first. θ is the optimiser's live array:
   * read it during the call and copy it (`theta.slice()`) to keep it. A full-batch run that reaches `maxEpochs`
   * returns the point after its last step without showing it here.
   */
  readonly shouldStop?: (theta: Readonly<FloatArray>, progress: EpochProgress) => boolean;
  readonly signal?: AbortSignal;
  /** At most this many trace points are kept (every k-th epoch, plus the last); 10 000 by default. */
  readonly traceLimit?: number;
}

/**
 * Loss per epoch. `full-batch`: the loss on the whole training set at the start of the epoch (full-batch optimisers,
 * or minibatch ones when a stopping target forces a full evaluation after each epoch; then at its end).
 * `minibatch-mean`: the mean of the epoch's minibatch losses weighted by batch size, what PyTorch scripts log; it
 * mixes points along the epoch's path.
 */
export interface TrainTrace {
  readonly lossKind: 'full-batch' | 'minibatch-mean';
  /** Keep every `stride`-th epoch (and the last). */
  readonly stride: number;
  readonly epochs: number[];
  readonly loss: number[];
  readonly learningRate: number[];
}

export interface TrainResult {
  readonly theta: FloatArray;
  /** Number of epochs completed (optimiser steps for full-batch optimisers). */
  readonly epochs: number;
  readonly stopReason: StopReason;
  /** Full-batch loss and gradient norm at the returned θ. */
  readonly finalLoss: number;
  readonly gradientNorm: number;
  readonly trace: TrainTrace;
  /** Calls to `objective.evaluate` (full batch or minibatch). */
  readonly evaluations: number;
  readonly wallSeconds: number;
}

/**
 * Trains from `initialTheta` until the stopping rule says so. Works with any `Objective`; the result is a pure
 * function of the options (bit-identical on a rerun), except for `wallSeconds`. Synchronous: an AbortSignal can
 * only fire from inside `onEpoch` (or another thread); use `trainAsync` to let timers and signals run meanwhile.
 */
export function train(options: TrainOptions): TrainResult {
  const steps = trainingSteps(options);
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/**
 * `train`, yielding to the event loop at least every `yieldSeconds` (between epochs), so that a progress display
 * redraws and Ctrl-C can abort through `options.signal`. Same results as `train`.
 */
export async function trainAsync(options: TrainOptions, yieldSeconds = 0.1): Promise<TrainResult> {
  const steps = trainingSteps(options);
  let lastYield = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    if (performance.now() - lastYield >= yieldSeconds * 1000) {
      await new Promise<void>((resolve) => yieldToEventLoop(resolve));
      lastYield = performance.now();
    }
  }
}

/**
 * Node's setImmediate where it exists; browsers and Web Workers (the explorer trains here) have none, and calling it
 * there failed every explorer run that took longer than `yieldSeconds`.
 */
function yieldToEventLoop(resume: () => void): void {
  if (typeof globalThis.setImmediate === 'function') globalThis.setImmediate(resume);
  else setTimeout(resume, 0);
}

/** The training loop as a generator that pauses after each epoch; `train` and `trainAsync` drive it. */
export function* trainingSteps(options: TrainOptions): Generator<EpochProgress, TrainResult, void> {
  const { objective, signal } = options;
  const optimiser = validateOptimiser(options.optimiser);
  const schedule = validateSchedule(options.schedule);
  const stopping = validateStoppingRule(options.stopping);
  if (options.initialTheta.length !== objective.parameterCount) {
    throw new InvalidArgumentError(
      'initialTheta',
      `${objective.parameterCount} parameters (the objective's parameter count)`,
      options.initialTheta.length,
    );
  }
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const batchSize = batchSizeOf(optimiser);
  const minibatch = batchSize !== undefined && batchSize < objective.sampleCount;
  const recorder = new TraceRecorder(
    stopping.maxEpochs,
    options.traceLimit ?? 10_000,
    minibatch && !hasTarget(stopping) ? 'minibatch-mean' : 'full-batch',
  );
  let evaluations = 0;
  const evaluate = (theta: FloatArray, batch?: Int32Array): Evaluation => {
    evaluations++;
    return objective.evaluate(theta, batch);
  };
  // The optimiser's own evaluations (L-BFGS's line search) are counted too.
  const method = optimiserMethod(optimiser, {
    parameterCount: objective.parameterCount,
    sampleCount: objective.sampleCount,
    evaluate,
  });
  const report = (epoch: number, epochsCompleted: number, loss: number): EpochProgress => {
    const learningRate = learningRateAt(schedule, epoch);
    recorder.record(epoch, loss, learningRate);
    const progress = {
      epoch,
      epochsCompleted,
      maxEpochs: stopping.maxEpochs,
      loss,
      learningRate,
      elapsedSeconds: elapsed(),
    };
    options.onEpoch?.(progress);
    return progress;
  };
  const stopRequested = (theta: FloatArray, progress: EpochProgress): boolean =>
    options.shouldStop?.(theta, progress) === true;

  let theta: FloatArray = options.initialTheta.slice();
  let epoch = 0;
  let stopReason: StopReason = 'max-epochs';
  let final: Evaluation | undefined;

  // Only first-order methods take minibatches (batchSizeOf is undefined for the others).
  const rule = minibatch ? method.rule : undefined;
  if (rule !== undefined && batchSize !== undefined) {
    const sampler = new MinibatchSampler(objective.sampleCount, batchSize, options.shuffleSeed);
    const backup = theta.slice();
    for (; epoch < stopping.maxEpochs; epoch++) {
      if (signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const learningRate = learningRateAt(schedule, epoch);
      backup.set(theta);
      let weighted = 0;
      let diverged = false;
      for (const batch of sampler.nextEpoch()) {
        const { loss, gradient } = evaluate(theta, batch);
        // A non-finite gradient leaves θ unspecified: it is restored from `backup` below.
        if (!Number.isFinite(loss) || !rule.applyIfFinite(theta, gradient, learningRate)) {
          diverged = true;
          break;
        }
        weighted += loss * batch.length;
      }
      if (diverged || !allFinite(theta)) {
        theta.set(backup);
        stopReason = 'diverged';
        break;
      }
      let loss = weighted / objective.sampleCount;
      final = undefined;
      if (hasTarget(stopping)) {
        final = evaluate(theta);
        loss = final.loss;
      }
      const progress = report(epoch, epoch + 1, loss);
      yield progress;
      const reached = final ? targetReached(stopping, final.loss, norm2(final.gradient)) : undefined;
      const reason = reached ?? (stopRequested(theta, progress) ? 'callback' : undefined);
      if (reason) {
        stopReason = reason;
        epoch++;
        break;
      }
    }
  } else {
    let current = evaluate(theta);
    let previousTheta: FloatArray | undefined;
    let previous: Evaluation | undefined;
    for (;;) {
      if (!Number.isFinite(current.loss) || !allFinite(current.gradient)) {
        if (previousTheta === undefined || previous === undefined) {
          throw new InvalidArgumentError(
            'initialTheta',
            'a point where the loss and gradient are finite',
            current.loss,
          );
        }
        theta = previousTheta;
        current = previous;
        stopReason = 'diverged';
        break;
      }
      const reached = targetReached(stopping, current.loss, norm2(current.gradient));
      if (reached) {
        stopReason = reached;
        break;
      }
      if (epoch >= stopping.maxEpochs) break;
      if (signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const learningRate = learningRateAt(schedule, epoch);
      const progress = report(epoch, epoch, current.loss);
      yield progress;
      if (stopRequested(theta, progress)) {
        stopReason = 'callback';
        break;
      }
      // A new point (θ itself is kept, to return to if the step diverged), or none when L-BFGS's line search failed.
      const next = method.step(theta, current, learningRate);
      if (next === undefined) {
        stopReason = 'line-search-failed';
        epoch++;
        break;
      }
      previousTheta = theta;
      previous = current;
      theta = next.theta;
      current = next.evaluation;
      epoch++;
    }
    final = current;
  }

  final ??= evaluate(theta);
  return {
    theta,
    epochs: epoch,
    stopReason,
    finalLoss: final.loss,
    gradientNorm: norm2(final.gradient),
    trace: recorder.trace(),
    evaluations,
    wallSeconds: elapsed(),
  };
}

function hasTarget(rule: StoppingRule): boolean {
  return rule.lossTarget !== undefined || rule.gradientNormTarget !== undefined;
}

/**
 * The trace `train` would keep of a full-batch run whose loss before each epoch was `losses[epoch]` at a constant
 * learning rate: for engines that run the loop elsewhere (a GPU) and hand back every loss.
 */
export function fullBatchTrace(losses: readonly number[], learningRate: number, limit = 10_000): TrainTrace {
  const recorder = new TraceRecorder(losses.length, limit, 'full-batch');
  losses.forEach((loss, epoch) => recorder.record(epoch, loss, learningRate));
  return recorder.trace();
}

class TraceRecorder {
  private readonly stride: number;
  private readonly epochs: number[] = [];
  private readonly loss: number[] = [];
  private readonly learningRate: number[] = [];
  private pending: [number, number, number] | undefined;

  constructor(
    maxEpochs: number,
    limit: number,
    private readonly lossKind: TrainTrace['lossKind'],
  ) {
    this.stride = Math.max(1, Math.ceil(maxEpochs / Math.max(1, limit)));
  }

  record(epoch: number, loss: number, learningRate: number): void {
    if (epoch % this.stride === 0) {
      this.epochs.push(epoch);
      this.loss.push(loss);
      this.learningRate.push(learningRate);
      this.pending = undefined;
    } else {
      this.pending = [epoch, loss, learningRate];
    }
  }

  trace(): TrainTrace {
    const epochs = [...this.epochs];
    const loss = [...this.loss];
    const learningRate = [...this.learningRate];
    if (this.pending) {
      epochs.push(this.pending[0]);
      loss.push(this.pending[1]);
      learningRate.push(this.pending[2]);
    }
    return { lossKind: this.lossKind, stride: this.stride, epochs, loss, learningRate };
  }
}
