import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import sirv from 'sirv';
import { FileFormatError, requireInteger } from '../../core/errors.js';
import { integerBetween } from '../../io/schema-primitives.js';
import { numberOption } from '../flags.js';

/** Where `npm run build` puts the explorer's static files (dist/web beside dist/src). */
export const EXPLORER_DIRECTORY = fileURLToPath(new URL('../../../web/', import.meta.url));

export interface ExplorerServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  readonly directory?: string;
}

/** Serves the built explorer over HTTP; resolves once it listens. */
export async function startExplorerServer(options: ServeOptions): Promise<ExplorerServer> {
  const directory = options.directory ?? EXPLORER_DIRECTORY;
  if (!existsSync(`${directory}/index.html`)) {
    throw new FileFormatError(directory, 'no index.html: build the explorer first with `npm run build`');
  }
  requireInteger('port', options.port, 0, 65535);
  const handler = sirv(directory, { etag: true, single: false, dev: false });
  const server = createServer((request, response) =>
    handler(request, response, () => {
      response.statusCode = 404;
      response.end('not found');
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    server,
    close: () =>
      new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('open the basin explorer (playground, landscape views, results browser) on localhost')
    .addOption(
      numberOption('--port <port>', 'port to listen on (0 picks a free one)', integerBetween(0, 65535), 8080),
    )
    .option('--host <host>', 'address to bind; keep 127.0.0.1 unless you mean to share it', '127.0.0.1')
    .action(async (options: { port: number; host: string }) => {
      const explorer = await startExplorerServer({ port: options.port, host: options.host });
      process.stdout.write(`basin explorer: ${explorer.url}\n(press Ctrl+C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void explorer.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
