import type { SectionBuilder } from '../../report/section.js';
import { blindSpotPreset } from './blind-spot.js';
import { fig51Preset } from './fig5.1.js';
import { fig52Preset } from './fig5.2.js';
import { jellyfishPreset } from './jellyfish.js';
import type { SweepPreset } from './preset.js';
import { soudryCarmonPreset } from './soudry-carmon.js';

export * from './preset.js';

/** The reproduction presets built on the sweep engine, in the order `basin reproduce --quick` runs them. */
export const SWEEP_PRESETS: readonly SweepPreset[] = [
  fig51Preset,
  fig52Preset,
  jellyfishPreset,
  soudryCarmonPreset,
  blindSpotPreset,
];

/** Report sections for the presets' sweeps. */
export const PRESET_SECTIONS: readonly SectionBuilder[] = SWEEP_PRESETS.map(
  (preset) => (summary) => preset.section(summary),
);
