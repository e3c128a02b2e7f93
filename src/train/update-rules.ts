/*
 * The first-order update rules are defined with their optimisers in optimiser.ts; this module keeps the names
 * importable from here for existing callers.
 */
export { adamRule, momentumRule, rmspropRule, type UpdateRule, updateRuleFor } from './optimiser.js';
