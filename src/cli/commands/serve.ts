import { existsSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import sirv from 'sirv';
import { FileFormatError, InvalidArgumentError, requireInteger } from '../../core/errors.js';
import { integerBetween } from '../../io/schema-primitives.js';
import { type FlagParser, flagOption, numberOption } from '../flags.js';
import { checkServedLandscape, readServedLandscape, type ServedLandscape } from '../served-landscape.js';
import { checkServedResults, readServedResults, type ServedResults } from '../served-results.js';

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
  /** Runs for the Results tab at `api/results` (`--store`, `--results`); without them that path is 404. */
  readonly results?: ServedResults;
  /** A landscape record for the "Between minima" tab at `api/landscape` (`--landscape`); without it, 404. */
  readonly landscape?: ServedLandscape;
}

/** The explorer's Results tab fetches this path (web/src/views/results.ts, relative to the page). */
export const RESULTS_PATH = '/api/results';
/** The "Between minima" tab fetches this path (web/src/views/minima.ts). */
export const LANDSCAPE_PATH = '/api/landscape';

/** Serves the built explorer over HTTP; resolves once it listens. */
export async function startExplorerServer(options: ServeOptions): Promise<ExplorerServer> {
  const directory = options.directory ?? EXPLORER_DIRECTORY;
  if (!existsSync(`${directory}/index.html`)) {
    throw new FileFormatError(directory, 'no index.html: build the explorer first with `npm run build`');
  }
  requireInteger('port', options.port, 0, 65535);
  const handler = sirv(directory, { etag: true, single: false, dev: false });
  const notFound = (response: ServerResponse): void => {
    response.statusCode = 404;
    response.end('not found');
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === RESULTS_PATH) {
      if (options.results === undefined) notFound(response);
      else void serveResults(options.results, response);
      return;
    }
    if (path === LANDSCAPE_PATH) {
      if (options.landscape === undefined) notFound(response);
      else serveLandscape(options.landscape, response);
      return;
    }
    handler(request, response, () => notFound(response));
  });
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

/** Reads the runs afresh for each request; a failure (say, a store gone) is a one-line 500 the explorer shows. */
async function serveResults(results: ServedResults, response: ServerResponse): Promise<void> {
  try {
    const served = await readServedResults(results);
    response.setHeader('content-type', served.contentType);
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-basin-source', encodeURIComponent(served.source));
    response.end(served.body);
  } catch (error) {
    response.statusCode = 500;
    response.setHeader('content-type', 'text/plain; charset=utf-8');
    response.end(error instanceof Error ? error.message.split('\n')[0] : String(error));
  }
}

function serveLandscape(landscape: ServedLandscape, response: ServerResponse): void {
  try {
    const text = readServedLandscape(landscape);
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-basin-source', encodeURIComponent(landscape.source));
    response.end(text);
  } catch (error) {
    response.statusCode = 500;
    response.setHeader('content-type', 'text/plain; charset=utf-8');
    response.end(error instanceof Error ? error.message.split('\n')[0] : String(error));
  }
}

/**
 * A host name or address. Node reads an empty host as "every interface", so `--host ""` (an unset shell variable)
 * would share the explorer with the network instead of failing.
 */
const parseHost: FlagParser<string> = (text, flag) => {
  if (text.trim() === '') {
    throw new InvalidArgumentError(
      flag,
      'a host name or address such as 127.0.0.1 (0.0.0.0 for every interface)',
      text,
    );
  }
  return text;
};

export function register(program: Command): void {
  program
    .command('serve')
    .description('open the basin explorer (playground, landscape views, results browser) on localhost')
    .addOption(
      numberOption('--port <port>', 'port to listen on (0 picks a free one)', integerBetween(0, 65535), 8080),
    )
    .addOption(
      flagOption(
        '--host <host>',
        'address to bind; keep 127.0.0.1 unless you mean to share it',
        parseHost,
        '127.0.0.1',
      ),
    )
    .option('--store <store>', "open this result store's sweeps in the Results tab (read on every page load)")
    .option(
      '--results <path>',
      'open this runs.parquet, or the directory `basin results --export` wrote, in the Results tab',
    )
    .option(
      '--landscape <file>',
      'open this record of `basin landscape graph` or `basin landscape path` in the Between minima tab',
    )
    .action(
      async (options: {
        port: number;
        host: string;
        store?: string;
        results?: string;
        landscape?: string;
      }) => {
        const results = await checkServedResults(options);
        const landscape = checkServedLandscape(options.landscape);
        const explorer = await startExplorerServer({
          port: options.port,
          host: options.host,
          ...(results === undefined ? {} : { results }),
          ...(landscape === undefined ? {} : { landscape }),
        });
        const shown =
          (results === undefined
            ? ''
            : `results: ${results.path} (Results tab: ${explorer.url}#view=results)\n`) +
          (landscape === undefined
            ? ''
            : `landscape: ${landscape.path} (Between minima tab: ${explorer.url}#view=minima)\n`);
        process.stdout.write(`basin explorer: ${explorer.url}\n${shown}(press Ctrl+C to stop)\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            void explorer.close().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );
}
