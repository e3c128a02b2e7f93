import { BasinError } from '../core/errors.js';

/** A spec whose settings cannot run as asked (e.g. an optimiser the chosen engine lacks); names the spec field. */
export class RunSpecError extends BasinError {
  override name = 'RunSpecError';
}
