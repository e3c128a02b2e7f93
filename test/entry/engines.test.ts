import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

// semver ships without types; these are the two functions used.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

interface LockEntry {
  readonly version?: string;
  readonly engines?: { readonly node?: unknown } | readonly string[];
}

const root = new URL('../../', import.meta.url);
const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, root), 'utf8'));

describe('package engines', () => {
  it("every installed package runs on the oldest Node that package.json's engines accepts", () => {
    // The bug: vega-lite 6.5 declares node >= 22 while basin declares >= 20.19 (and CI runs 20.20), so `npm
    // install` warned and basin promised a Node its renderer does not support.
    const declared = (read('package.json') as { engines: { node: string } }).engines.node;
    const floor = semver.minVersion(declared)?.version;
    assert.ok(floor !== undefined, `engines.node ${declared} has a lowest version`);
    const lock = read('package-lock.json') as { packages: Record<string, LockEntry> };
    assert.equal(
      (lock.packages[''].engines as { node?: string } | undefined)?.node,
      declared,
      'package-lock.json records the same engines as package.json (run npm install)',
    );
    const checked: string[] = [];
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : (entry.engines as { node?: unknown })?.node;
      if (path === '' || typeof range !== 'string') continue;
      checked.push(path);
      if (!semver.satisfies(floor, range)) refused.push(`${path}@${entry.version}: node ${range}`);
    }
    assert.ok(checked.length > 10, `${checked.length} packages declare engines.node`);
    assert.deepEqual(refused, [], `packages that refuse Node ${floor}`);
  });
});
