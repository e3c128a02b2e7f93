import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { requiredOrSkip } from './required.js';

/**
 * A real redis-server for tests, on 127.0.0.1 only, with its append-only file in `directory` so that a restart keeps
 * the queue (as a production Redis with `appendonly yes` does). `redisSkip` is the reason to skip (a failure under
 * CI=true; see required.ts) when Debian's
 * redis-server is not installed (.ci/run installs it).
 */
export const redisSkip: string | false = requiredOrSkip(
  (() => {
    try {
      execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
      return false;
    } catch {
      return 'redis-server is not installed (apt-get install redis-server; .ci/run does)';
    }
  })(),
);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  private process: ChildProcess | undefined;

  constructor(
    readonly port: number,
    readonly directory: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.directory,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    await this.waitForPing();
  }

  /** Stops the server (its append-only file keeps every acknowledged write). */
  async stop(): Promise<void> {
    const server = this.process;
    if (server === undefined) return;
    this.process = undefined;
    await new Promise<void>((resolve) => {
      server.once('exit', () => resolve());
      server.kill('SIGTERM');
    });
  }

  private async waitForPing(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const reply = execFileSync('redis-cli', ['-p', String(this.port), 'ping'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        if (reply.trim() === 'PONG') return;
      } catch {
        // not up yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }
}
