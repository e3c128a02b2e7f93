import type { WebGpuAdapterRecord, WebGpuUnavailableCause } from '../../../src/backend/webgpu/index.js';

/** What Node passes to the test page: plain arrays (page.evaluate serialises them as JSON). */
export interface PageProblem {
  readonly architecture: {
    readonly inputDim: number;
    readonly hidden: readonly {
      readonly width: number;
      readonly activation:
        { readonly kind: 'leaky-relu'; readonly slope: number } | { readonly kind: 'linear' };
      readonly bias: boolean;
    }[];
    readonly outputDim: number;
    readonly outputBias: boolean;
  };
  readonly loss: string;
  /** float32 values (rounded in Node), so that the reference sees exactly what the GPU sees. */
  readonly theta: readonly number[];
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export type PageAdapter =
  | {
      readonly available: true;
      readonly summary: string;
      readonly adapter: WebGpuAdapterRecord;
      readonly inWorker: boolean;
    }
  | { readonly available: false; readonly reason: string; readonly cause: WebGpuUnavailableCause };

export interface PageEvaluation {
  readonly loss: number;
  readonly gradient: number[];
  readonly products: string;
}

export interface PageAdamRun {
  readonly theta: number[];
  readonly losses: number[];
  readonly progress: number[];
  readonly products: string;
}

/** The page's functions, on `window.basinWebGpu` (products: `tiled` or `direct`; default the engine's choice). */
export interface PageApi {
  adapter(): Promise<PageAdapter>;
  evaluate(problem: PageProblem, products?: 'tiled' | 'direct'): Promise<PageEvaluation>;
  trainAdam(
    problem: PageProblem,
    steps: number,
    learningRate: number,
    readbackEvery: number,
    products?: 'tiled' | 'direct',
  ): Promise<PageAdamRun>;
}

declare global {
  interface Window {
    basinWebGpu: PageApi;
  }
}
