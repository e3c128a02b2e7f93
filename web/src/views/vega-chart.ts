import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * A Vega-Lite chart (the library basin's reports use too) rendered as SVG, with its data replaced in place. PNG and
 * SVG exports come from Vega itself, so an exported figure is the one on screen.
 */
export class VegaChart {
  private readonly view: View;

  constructor(
    readonly element: HTMLElement,
    spec: TopLevelSpec,
  ) {
    const container = element;
    this.view = new View(parse(compile(spec).spec), { renderer: 'svg', container, hover: true });
  }

  async setData(name: string, rows: readonly object[]): Promise<void> {
    this.view.data(name, rows as object[]);
    await this.view.runAsync();
  }

  /**
   * Fits a `width: 'container'` chart to its container now. Vega-Lite reads the container's width when the view is
   * made and on window resizes only, so a chart made inside a hidden card or tab keeps a stale width once it shows;
   * a resize event makes it (and any other chart on the page) read its container again.
   */
  async fitWidth(): Promise<void> {
    window.dispatchEvent(new Event('resize'));
    await this.view.runAsync();
  }

  async signal(name: string, value: unknown): Promise<void> {
    this.view.signal(name, value);
    await this.view.runAsync();
  }

  addClickListener(listener: (datum: Record<string, unknown> | undefined) => void): void {
    this.view.addEventListener('click', (_event, item) => {
      const datum = (item as { datum?: Record<string, unknown> } | null | undefined)?.datum;
      listener(datum);
    });
  }

  /** Stops the view (its listeners and timers) before the chart is replaced by another. */
  finalize(): void {
    this.view.finalize();
  }

  toSvg(): Promise<string> {
    return this.view.toSVG();
  }

  toPng(): Promise<string> {
    return this.view.toImageURL('png', 2);
  }
}
