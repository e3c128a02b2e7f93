import type { landscape, train } from 'basin';
import type { ExplorerState } from '../state.js';
import type { PointReport } from './certificate.js';

/** Messages between the page and the training worker. Every request carries an id its replies echo. */
export type WorkerRequest =
  | {
      readonly id: number;
      readonly kind: 'train';
      readonly state: ExplorerState;
      readonly csvText: string | undefined;
    }
  /** A given θ (a minimum from a landscape record) as the current point, instead of training. */
  | {
      readonly id: number;
      readonly kind: 'load';
      readonly state: ExplorerState;
      readonly theta: readonly number[];
    }
  | { readonly id: number; readonly kind: 'gpu-info' }
  | { readonly id: number; readonly kind: 'certify' }
  | { readonly id: number; readonly kind: 'slice'; readonly state: ExplorerState }
  | { readonly id: number; readonly kind: 'segment'; readonly state: ExplorerState };

/**
 * Whether the worker has a WebGPU adapter (WorkerNavigator.gpu), and which. `failed`: there is an adapter but its
 * device could not be opened, or the worker's answer did not come: a fault, not a browser without WebGPU.
 */
export type GpuInfo =
  | { readonly available: true; readonly adapter: string; readonly software: boolean }
  | { readonly available: false; readonly reason: string; readonly failed: boolean };

/** Which engine trained: the CPU, or WebGPU on `adapter`; `note` says why WebGPU was asked for but not used. */
export interface EngineUsed {
  readonly name: 'cpu' | 'webgpu';
  readonly adapter?: string;
  readonly note?: string;
}

export interface TrainedPayload {
  readonly kind: 'train';
  readonly engine: EngineUsed;
  readonly description: string;
  readonly inputDim: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly theta: Float64Array;
  /** The trained network in the basin-weights file format that `basin certify` reads. */
  readonly weightsJson: string;
  readonly architecture: string;
  readonly epochs: number;
  /** Why training stopped; undefined for a loaded point (no training ran). */
  readonly stopReason: train.StopReason | undefined;
  readonly finalLoss: number;
  readonly gradientNorm: number;
  readonly traceEpochs: readonly number[];
  readonly traceLoss: readonly number[];
  readonly picture: { readonly regions: landscape.InputRegions; readonly kinks: Float64Array } | undefined;
}

export type WorkerPayload =
  | TrainedPayload
  | { readonly kind: 'gpu-info'; readonly info: GpuInfo }
  | { readonly kind: 'certify'; readonly report: PointReport }
  | { readonly kind: 'slice'; readonly slice: landscape.LossSlice }
  | {
      readonly kind: 'segment';
      readonly profile: landscape.SegmentProfile;
      readonly finalLosses: readonly number[];
      readonly worst: number;
      readonly best: number;
    };

export type WorkerReply =
  | {
      readonly id: number;
      readonly kind: 'progress';
      readonly epoch: number;
      readonly loss: number;
      readonly label: string;
    }
  | { readonly id: number; readonly kind: 'done'; readonly payload: WorkerPayload }
  | { readonly id: number; readonly kind: 'error'; readonly message: string };
