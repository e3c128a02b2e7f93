import type { Command } from 'commander';
import { positive, positiveInteger } from '../../io/schema-primitives.js';
import { parseQueueUrl, type QueueConnection } from '../../sweep/queue/connection.js';
import { runQueueWorker } from '../../sweep/queue/queue-worker.js';
import { flagOption, numberOption } from '../flags.js';

interface WorkerCommandOptions {
  readonly queue: QueueConnection;
  readonly threads: number;
  readonly lockSeconds: number;
  readonly stalledCheckSeconds: number;
  readonly quiet?: boolean;
}

/** `basin worker --queue <url>`: run sweep jobs from a Redis queue until Ctrl-C (docs/distributed.md). */
export function register(program: Command): void {
  program
    .command('worker')
    .description(
      'take sweep runs from a Redis queue and run them here, until Ctrl-C or SIGTERM (docs/distributed.md)',
    )
    .addOption(
      flagOption(
        '--queue <url>',
        'the Redis of the sweep: redis://[user:password@]host:port[/db] (rediss:// for TLS)',
        (text, flag) => parseQueueUrl(text, flag),
      ).makeOptionMandatory(),
    )
    .addOption(numberOption('--threads <n>', 'threads per backend for each run', positiveInteger, 1))
    .addOption(
      numberOption(
        '--lock-seconds <s>',
        'a job of a worker that died is taken again this long after its last lock renewal',
        positive,
        60,
      ),
    )
    .addOption(
      numberOption('--stalled-check-seconds <s>', 'how often to look for jobs of dead workers', positive, 30),
    )
    .option('--quiet', 'no line per job')
    .action(async (options: WorkerCommandOptions) => {
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const log = (line: string): void => {
        if (!options.quiet) process.stderr.write(`${line}\n`);
      };
      try {
        await runQueueWorker(options.queue, {
          threads: options.threads,
          lockSeconds: options.lockSeconds,
          stalledCheckSeconds: options.stalledCheckSeconds,
          log,
          signal: abort.signal,
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
