import type { ReportSection } from '../../report/section.js';
import type { SweepSpec } from '../../sweep/spec.js';
import type { SweepSummary } from '../../sweep/summary.js';

/** `quick` runs in under two minutes on two cores; `full` follows the paper's scale where it is known. */
export type PresetVariant = 'quick' | 'full';

/** A paper experiment as a sweep: its spec per variant and the report section that reads its results. */
export interface SweepPreset {
  readonly name: string;
  readonly title: string;
  /**
   * True when `basin reproduce <name>` is a standalone command of its own (fig5.2), which reaches the preset with
   * `--sweep`; the sweep-preset subcommand is then not registered. `basin reproduce --quick` runs it either way.
   */
  readonly ownCommand?: boolean;
  spec(variant: PresetVariant): SweepSpec;
  /** The report section for a sweep of this preset; undefined for any other sweep. */
  section(summary: SweepSummary): ReportSection | undefined;
}

/** The sweep name of a preset variant, e.g. `fig5.1-quick`: how a report recognises a preset's sweeps. */
export function presetSweepName(preset: string, variant: PresetVariant): string {
  return `${preset}-${variant}`;
}

export function isPresetSweep(preset: string, sweep: string): boolean {
  return sweep === presetSweepName(preset, 'quick') || sweep === presetSweepName(preset, 'full');
}
