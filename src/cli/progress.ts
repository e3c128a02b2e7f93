import cliProgress from 'cli-progress';
import type { PolishProgress } from '../certify/polish.js';
import type { EpochProgress } from '../train/train.js';

/** Receives training progress; `basin train` and `basin reproduce` pick the display from the terminal and --json. */
export interface ProgressDisplay {
  epoch(progress: EpochProgress): void;
  /** Removes any transient display (the bar) before the final summary is printed. */
  stop(): void;
}

export type ProgressMode = 'bar' | 'json-lines' | 'none';

/** A bar on an interactive terminal; JSON lines when stdout is not a terminal or `--json` was given. */
export function progressMode(json: boolean, stdout: NodeJS.WriteStream = process.stdout): ProgressMode {
  return json || !stdout.isTTY ? 'json-lines' : 'bar';
}

/** Seconds left at the average epoch time so far. */
export function etaSeconds(progress: EpochProgress): number {
  const done = progress.epoch + 1;
  return (progress.elapsedSeconds / done) * Math.max(0, progress.maxEpochs - done);
}

/**
 * One JSON object per line on `write`: `{"event":"epoch","epoch":…,"maxEpochs":…,"loss":…,"learningRate":…,
 * "elapsedSeconds":…,"etaSeconds":…}` (plus `extra` fields), at most one every `intervalSeconds` plus the first and
 * last epoch, so a long run does not flood a log.
 */
export function jsonLinesProgress(
  write: (line: string) => void,
  extra: Readonly<Record<string, unknown>> = {},
  intervalSeconds = 0.5,
): ProgressDisplay {
  let lastSeconds = -Infinity;
  return {
    epoch(progress) {
      const last = progress.epoch + 1 >= progress.maxEpochs;
      if (!last && progress.epoch !== 0 && progress.elapsedSeconds - lastSeconds < intervalSeconds) return;
      lastSeconds = progress.elapsedSeconds;
      write(
        `${JSON.stringify({ event: 'epoch', ...extra, ...progress, etaSeconds: round(etaSeconds(progress)) })}\n`,
      );
    },
    stop() {},
  };
}

/** cli-progress bar on stderr: epoch i/n, loss, learning rate, ETA. */
export function barProgress(label = 'train'): ProgressDisplay {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| epoch {value}/{total} | loss {loss} | lr {lr} | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    epoch(progress) {
      const payload = { loss: progress.loss.toExponential(3), lr: progress.learningRate.toExponential(2) };
      if (!started) {
        bar.start(progress.maxEpochs, progress.epoch + 1, payload);
        started = true;
      } else {
        bar.update(progress.epoch + 1, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function createProgress(
  mode: ProgressMode,
  label?: string,
  extra?: Record<string, unknown>,
): ProgressDisplay {
  switch (mode) {
    case 'bar':
      return barProgress(label);
    case 'json-lines':
      return jsonLinesProgress((line) => process.stdout.write(line), extra);
    case 'none':
      return { epoch() {}, stop() {} };
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** One line per polishing iteration, as `basin certify` and `basin reproduce table1` print them on a terminal. */
export function describePolishProgress(p: PolishProgress): string {
  return (
    `polish ${p.phase} ${p.iteration}: loss ${p.loss.toExponential(4)}, ‖∇L‖ ${p.stationarity.toExponential(2)} ` +
    `(target ${p.target.toExponential(2)}), ${p.innerSteps} CG steps, ${p.seconds.toFixed(1)} s`
  );
}

/**
 * Progress of a run in stages (`basin landscape`: search, then connections), on stderr: a line at the end of each
 * stage and at most one every `intervalSeconds` in between, `label: stage done/total (elapsed s)`.
 */
export function stageProgress(
  label: string,
  write: (line: string) => void = (line) => process.stderr.write(line),
  intervalSeconds = 2,
  now: () => number = () => performance.now() / 1000,
): (stage: string, done: number, total: number) => void {
  const started = now();
  let last = -Infinity;
  return (stage, done, total) => {
    const elapsed = now() - started;
    if (done < total && elapsed - last < intervalSeconds) return;
    last = elapsed;
    write(`${label}: ${stage} ${done}/${total} (${elapsed.toFixed(1)} s)\n`);
  };
}
