import type { Command } from 'commander';

/**
 * Every subcommand lives in its own module under src/cli/commands/ and exports `register(program)`. Add one line
 * here per module; main.ts registers them in this order.
 */
export const commandRegistrations: readonly ((program: Command) => void)[] = [];
