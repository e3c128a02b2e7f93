import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSvg } from '../../src/report/render.js';
import type { Figure } from '../../src/report/figure.js';
import { presetSection } from './preset-figures.js';

/** Every <text> of a rendered SVG: its content, aria-label and transform. */
function texts(svg: string): { text: string; aria: string; transform: string }[] {
  return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map(([, attributes, text]) => ({
    text,
    aria: /aria-label="([^"]*)"/.exec(attributes)?.[1] ?? '',
    transform: /transform="([^"]*)"/.exec(attributes)?.[1] ?? '',
  }));
}

/** The x-axis tick labels of a rendered figure (Vega's axis group is labelled "X-axis titled …"). */
function xTickLabels(svg: string): string[] {
  const axis = /aria-label="X-axis[^"]*">(.*?)<g class="mark-rule role-axis-domain"/s.exec(svg);
  assert.ok(axis, 'an x axis in the SVG');
  return [...axis[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

interface Box {
  readonly label: string;
  readonly x: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/**
 * The boxes of a figure's theory-line labels as Vega drew them: text rotated by 270° at translate(X, Y), shifted by
 * translate(a, b) in the rotated frame (screen offset (b, −a)), reading upward and ending at its anchor. Glyphs
 * span 0.8 em above the baseline and 0.2 em below; a label's length is taken as 0.62 em a character (DejaVu Sans).
 */
function referenceLabelBoxes(svg: string): Box[] {
  return texts(svg)
    .filter((t) => /^x: [\d.e+-]+; .*label: /.test(t.aria))
    .map((t) => {
      const match =
        /^translate\(([-\d.e]+),([-\d.e]+)\) rotate\(270\)(?: translate\(([-\d.e]+),([-\d.e]+)\))?$/.exec(
          t.transform,
        );
      assert.ok(match, `a rotated label: ${t.transform}`);
      const [X, Y, a, b] = match.slice(1).map((v) => Number(v ?? 0));
      const size = 11;
      const baseline = X + b;
      const start = Y - a;
      return {
        label: t.text,
        x: Number(/^x: ([\d.e+-]+);/.exec(t.aria)![1]),
        left: baseline - 0.8 * size,
        right: baseline + 0.2 * size,
        top: start,
        bottom: start + 0.62 * size * t.text.length,
      };
    });
}

/** Pixel x of each dashed theory line, by its data x. */
function ruleXs(svg: string): Map<number, number> {
  const lines = [
    ...svg.matchAll(/<line aria-label="x: ([\d.e+-]+)"[^>]*transform="translate\(([-\d.e]+),0\)"/g),
  ];
  return new Map(lines.map((m) => [Number(m[1]), Number(m[2])]));
}

const overlap = (p: Box, q: Box): boolean =>
  p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;

describe('report figures', () => {
  it('Jellyfish: integer ticks only on the hidden-units axis', async () => {
    const section = presetSection('jellyfish', 'quick', (_, r) => (r % 2 === 0 ? 0 : 0.25));
    assert.ok(section.figures.length > 0);
    for (const figure of section.figures) {
      const layers = (figure.spec as { layer: { encoding: { x: { axis?: unknown } } }[] }).layer;
      assert.deepEqual(layers[1].encoding.x.axis, { tickMinStep: 1, format: 'd' });
      // The bug: ticks at 2.5, 3.5, … hidden units.
      const ticks = xTickLabels(await renderSvg(figure));
      assert.ok(ticks.length >= 3, ticks.join(' '));
      assert.ok(
        ticks.every((tick) => /^\d+$/.test(tick)),
        `integer ticks: ${ticks.join(' ')}`,
      );
    }
  });

  for (const variant of ['quick', 'full'] as const) {
    it(`Fig. 5.1 (${variant}): theory-line labels overlap neither each other nor their own line`, async () => {
      const section = presetSection('fig5.1', variant, (config, r) =>
        Math.min(0.4, (Number(config.N) / 2000) * ((r + 1) / 4)),
      );
      const figure: Figure = section.figures.find((f) => f.name.endsWith('mce-vs-N'))!;
      const svg = await renderSvg(figure);
      const boxes = referenceLabelBoxes(svg);
      const rules = ruleXs(svg);
      // Two theory lines per width d: #params = N and Theorem 8's bound.
      assert.equal(boxes.length, variant === 'quick' ? 4 : 6);
      for (const box of boxes) {
        const line = rules.get(box.x);
        assert.ok(line !== undefined, `the line of ${box.label}`);
        assert.ok(line <= box.left || line >= box.right, `${box.label} crosses its own line at ${line}`);
        assert.ok(
          box.left >= 0 && box.right <= 520 && box.top >= 0 && box.bottom <= 300,
          `${box.label} inside`,
        );
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          assert.ok(!overlap(boxes[i], boxes[j]), `${boxes[i].label} overlaps ${boxes[j].label}`);
        }
      }
    });
  }
});
