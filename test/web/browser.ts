import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { type ExplorerServer, startExplorerServer } from '../../src/cli/commands/serve.js';
import { requiredOrSkip } from '../support/required.js';

/** Debian's Chromium; Playwright's own browser download does not work offline. */
export const CHROMIUM = '/usr/bin/chromium';
export const BUILT_EXPLORER = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** The `skip` option of a browser test: false when Chromium is there, else why not (a failure under CI=true). */
export function chromiumSkipReason(): string | false {
  return requiredOrSkip(existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)`);
}

/** The `skip` option of the explorer's e2e tests: false when Chromium and dist/web are there (required on CI). */
export function e2eSkipReason(): string | false {
  return (
    chromiumSkipReason() ||
    requiredOrSkip(
      existsSync(join(BUILT_EXPLORER, 'index.html')) ? false : 'dist/web is missing: run npm run build first',
    )
  );
}

export interface Harness {
  readonly server: ExplorerServer;
  readonly browser: BrowserContext;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** What to serve (default: the built explorer, dist/web). */
  readonly directory?: string;
  /**
   * Launch Chromium with `--enable-unsafe-webgpu`, so that `navigator.gpu` exists on the (secure) http://127.0.0.1
   * origin. Without a GPU, Chromium's adapter is SwiftShader (software, a fallback adapter).
   */
  readonly webgpu?: boolean;
}

/** Starts the explorer's server and a headless Chromium with a fresh profile and no background networking. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const server = await startExplorerServer({
    port: 0,
    host: '127.0.0.1',
    directory: options.directory ?? BUILT_EXPLORER,
  });
  const profile = mkdtempSync(join(tmpdir(), 'basin-chromium-'));
  // Playwright takes the fresh profile directory itself (it refuses --user-data-dir among the args).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.webgpu === true ? ['--enable-unsafe-webgpu'] : []),
    ],
  });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
