// PLACEHOLDER until branch certify-phases lands its tolerances module.
export const KINK_TOLERANCE = 1e-9;
export const CONSTANT_OUTPUT_TOLERANCE = 1e-12;
