import { connect } from 'node:net';
import { BasinError, InvalidArgumentError } from '../../core/errors.js';

/**
 * Where the queue lives: a Redis URL, `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. Parsed here,
 * not by the client, so that a malformed URL is a one-line error naming `--queue`, and so that the password is never
 * printed back (`describeQueue`).
 */
export interface QueueConnection {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

export function parseQueueUrl(text: string, argument = '--queue'): QueueConnection {
  const expected = 'a Redis URL redis://[user:password@]host:port[/db] (rediss:// for TLS)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(argument, expected, text);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new InvalidArgumentError(argument, expected, text);
  if (url.hostname === '') throw new InvalidArgumentError(argument, `${expected} with a host`, text);
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!/^\d*$/.test(path) || !Number.isInteger(db) || db < 0 || db > 15) {
    throw new InvalidArgumentError(argument, `${expected}; the database is a number 0–15`, text);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError(argument, `${expected}, without query or fragment`, text);
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    tls: url.protocol === 'rediss:',
  };
}

/** The URL without its password, for progress lines and logs. */
export function describeQueue(connection: QueueConnection): string {
  const user =
    connection.username === undefined && connection.password === undefined
      ? ''
      : `${connection.username ?? ''}:***@`;
  return `${connection.tls ? 'rediss' : 'redis'}://${user}${connection.host}:${connection.port}/${connection.db}`;
}

/** The options BullMQ's Redis client takes. `maxRetriesPerRequest: null` is what BullMQ's workers require. */
export function redisOptions(connection: QueueConnection) {
  return {
    host: connection.host,
    port: connection.port,
    db: connection.db,
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    ...(connection.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    // Reconnect for as long as it takes (Redis restarted), at most every 2 s.
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
  };
}

/** Seconds the first TCP connection to Redis may take (a host that drops packets never refuses). */
export const REACH_TIMEOUT_SECONDS = 5;

/**
 * Resolves once a TCP connection to the queue's host and port opens, or rejects with a one-line error naming
 * `--queue`. Called before any Redis client is made: BullMQ's clients reconnect forever (what a running sweep wants
 * when Redis restarts), so a wrong host or port would otherwise print a line per retry until connectedWithin's
 * timeout, and closing clients that never connected can wait longer still.
 */
export async function requireReachable(connection: QueueConnection): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: connection.host, port: connection.port });
    const fail = (reason: string): void => {
      socket.destroy();
      reject(
        new BasinError(
          `--queue: cannot connect to Redis at ${describeQueue(connection)} (${reason}); is redis-server running there?`,
        ),
      );
    };
    socket.setTimeout(REACH_TIMEOUT_SECONDS * 1000, () =>
      fail(`no answer within ${REACH_TIMEOUT_SECONDS} s`),
    );
    socket.once('error', (error) => fail(networkReason(error)));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be looked up',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

function networkReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const reason = typeof code === 'string' ? NETWORK_REASONS[code] : undefined;
  if (reason !== undefined) return `${code as string}: ${reason}`;
  return typeof code === 'string' && code !== '' ? code : String((error as Error).message ?? error);
}

/** Seconds a first connection may take before basin gives up with an error (later outages are waited out). */
export const CONNECT_TIMEOUT_SECONDS = 15;

/**
 * `ready`, or a one-line error when Redis cannot be reached at all when starting: a wrong host or port must not look
 * like a sweep that waits for workers. Once connected, outages are waited out (Redis restarts).
 */
export async function connectedWithin<T>(ready: Promise<T>, connection: QueueConnection): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BasinError(
            `--queue: cannot reach Redis at ${describeQueue(connection)} within ${CONNECT_TIMEOUT_SECONDS} s ` +
              '(is redis-server running there, and the password right?)',
          ),
        ),
      CONNECT_TIMEOUT_SECONDS * 1000,
    );
  });
  try {
    return await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
