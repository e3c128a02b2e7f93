#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled library so that `npx basin` needs no TypeScript at run time.
import { main } from '../dist/src/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
