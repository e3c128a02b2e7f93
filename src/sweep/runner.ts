import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as z from 'zod';

/**
 * A kind of run a sweep can be made of: the schema of one run's configuration (a cell of the sweep) and the module
 * that computes it. The module must export `run: RunFunction`; workers import it by URL, so the function itself never
 * crosses a thread boundary and a distributed queue could load it the same way on another machine.
 */
export interface Runner {
  readonly name: string;
  /** A strict object schema: every key is an axis a spec may set in `base`, `grid` or `cells`. */
  readonly configSchema: z.ZodObject;
  readonly moduleUrl: string;
  /**
   * How many runs of a cell with this (validated) configuration the module's `runLockstep` may train together
   * (batched restarts); 1 or absent: every run alone. Only called in the main thread, to plan the tasks.
   */
  readonly lockstepLimit?: (config: Readonly<Record<string, unknown>>) => number;
  /**
   * Throws (a SizeLimitError) when a run of a cell with this validated configuration would need more memory than
   * basin's limit, so that the sweep refuses the cell before it starts instead of storing it as failed runs. The
   * error's field names the cell keys at fault, comma-separated ("N", "depth, width"), as the spec's author wrote them.
   */
  readonly requireFits?: (config: Readonly<Record<string, unknown>>) => void;
}

/**
 * The URL of a module beside `importMetaUrl`, with the caller's own extension: `.ts` when running under tsx (tests,
 * development), `.js` from the compiled package. Workers and runner modules are addressed through this so both work.
 */
export function siblingModule(importMetaUrl: string, name: string): string {
  const extension = extname(fileURLToPath(importMetaUrl));
  return new URL(`./${name}${extension}`, importMetaUrl).href;
}
