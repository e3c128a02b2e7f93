/**
 * The `reproduce` namespace of `basin/node`: each paper experiment as a library function, what `basin reproduce`
 * runs. Soudry & Hoffer's Figure 5.2 (`runFig52`) and Table 1 on MNIST and CIFAR-10 (`runTable1`, which reads the
 * datasets from disk), and the sweep presets of the other figures (`SWEEP_PRESETS`, run with `sweep.runSweep`).
 *
 * @example
 * ```ts
 * import { reproduce, train } from 'basin/node';
 *
 * const runs = reproduce.runFig52({
 *   dimensions: [4],
 *   repeats: 2,
 *   seed: 0,
 *   optimiser: train.DEFAULT_OPTIMISERS.adam,
 *   learningRate: 1e-2,
 *   holdEpochs: 100,
 *   decayEpochs: 100,
 *   decayFactor: 1e-3,
 *   init: { kind: 'pytorch' },
 *   bias: false,
 * });
 * console.log(reproduce.summariseFig52(runs)[0].runs); // 2
 * ```
 */
export {
  FIG52_DEFAULTS,
  FIG52_PAPER_RANGES,
  type Fig52Options,
  type Fig52Run,
  fig52SampleCount,
  fig52Schedule,
  type Fig52Summary,
  type RangePosition,
  rangePosition,
  runFig52,
  summariseFig52,
} from './fig5-2.js';
export {
  describeTable1Split,
  findTable1Data,
  runTable1,
  type Table1Certificate,
  TABLE1_DEFAULTS,
  TABLE1_OPTIMISER,
  type Table1Options,
  type Table1Preset,
  TABLE1_PRESETS,
  type Table1Progress,
  type Table1Result,
  TABLE1_ROW_IDS,
  type Table1RowId,
  type Table1Skipped,
  type Table1Stage,
} from './table1.js';
export {
  isPresetSweep,
  PRESET_SECTIONS,
  type PresetVariant,
  presetSweepName,
  SWEEP_PRESETS,
  type SweepPreset,
} from './presets/index.js';
