/** Reproduction presets: each paper experiment as a library function; `basin reproduce <name>` prints them. */
export * from './fig5-2.js';
