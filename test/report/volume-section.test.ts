import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proportion } from '../../src/core/statistics.js';
import { regionVolumes, type VolumeSizeEstimate } from '../../src/landscape/volume.js';
import { renderSvg } from '../../src/report/render.js';
import { slopeAgainstRate, volumeFigure, volumeSection } from '../../src/report/volume-section.js';

describe('the region-volume section', () => {
  const record = regionVolumes({
    sizes: [
      { count: 4, inputDim: 2, width: 2 },
      { count: 8, inputDim: 4, width: 2 },
    ],
    draws: 80,
    epsilon: 0.1,
    seed: 3,
  });

  it('has text, one figure and one table row per size, and the figure renders', async () => {
    const section = volumeSection(record);
    assert.equal(section.figures.length, 1);
    assert.equal(section.tables[0].rows.length, 2);
    assert.ok(section.text.length >= 2);
    assert.match(await renderSvg(section.figures[0]), /^<svg/);
  });

  it('draws a fraction of 0 at its upper interval end, never at 0 on the log axis', () => {
    const layers = (volumeFigure(record).spec as { layer: { data: { values: Record<string, unknown>[] } }[] })
      .layer;
    const zeros = layers[2].data.values;
    const expected = record.sizes.flatMap((size) =>
      [size.badPossible, size.badCertain, size.globalPossible, size.globalCertain, size.allInactive].filter(
        (p) => p.successes === 0,
      ),
    );
    assert.equal(zeros.length, expected.length);
    assert.ok(expected.length > 0, 'this record has fractions of 0');
    zeros.forEach((row, i) => assert.equal(row.shown, expected[i].high));
    for (const layer of layers.slice(0, 3)) {
      for (const row of layer.data.values) {
        for (const key of ['low', 'shown']) if (key in row) assert.ok((row[key] as number) > 0, key);
      }
    }
  });

  it('fits the slope of ln(estimate) against ln(rate)', () => {
    // Estimates that are the rate squared fall twice as fast: slope 2; sizes with estimate 0 are left out.
    const size = (rate: number, successes: number): VolumeSizeEstimate =>
      ({ theoremRate: rate, badPossible: proportion(successes, 10_000) }) as unknown as VolumeSizeEstimate;
    const fit = slopeAgainstRate([size(0.5, 2500), size(0.1, 100), size(0.01, 0)], 'badPossible');
    assert.equal(fit!.sizesUsed, 2);
    assert.ok(Math.abs(fit!.slope - 2) < 1e-12, `${fit!.slope}`);
    assert.equal(slopeAgainstRate([size(0.5, 2500), size(0.1, 0)], 'badPossible'), null);
  });
});
