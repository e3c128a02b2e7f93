import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ResultStore, type StoredRun } from '../../src/sweep/store/result-store.js';

const child = fileURLToPath(new URL('./sweep-child.ts', import.meta.url));
const TOTAL = 100;

/** Runs the child sweep; with `killAfter`, SIGKILLs it once it has stored that many runs. */
function sweepInChild(
  store: string,
  killAfter?: number,
): Promise<{ lines: string[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, store, '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines.push(...parts);
      if (killAfter !== undefined && lines.length >= killAfter) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve({ lines, signal });
    });
  });
}

async function storedRuns(path: string): Promise<StoredRun[]> {
  const store = await ResultStore.open(path, 'read');
  try {
    return await store.runs('resume');
  } finally {
    store.close();
  }
}

/** What must not depend on interruptions: identity, seed, status, error and every measurement. */
function essence(run: StoredRun): unknown {
  return [run.cellHash, run.repetition, run.seed, run.status, run.error, run.result];
}

describe('a sweep killed with SIGKILL', () => {
  it('leaves a readable store and, resumed, ends with the same runs as an uninterrupted sweep, without duplicates', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'basin-resume-'));
    const interrupted = join(directory, 'interrupted.duckdb');
    const killed = await sweepInChild(interrupted, 20);
    assert.equal(killed.signal, 'SIGKILL');

    const partial = await storedRuns(interrupted);
    assert.ok(partial.length >= 20 && partial.length < TOTAL, `${partial.length} runs survived the kill`);

    const resumed = await sweepInChild(interrupted);
    const report = JSON.parse(resumed.lines.at(-1)!) as {
      alreadyStored: number;
      done: number;
      total: number;
    };
    assert.equal(report.alreadyStored, partial.length);
    assert.equal(report.done, TOTAL - partial.length);

    const reference = join(directory, 'uninterrupted.duckdb');
    await sweepInChild(reference);
    const [after, expected] = [await storedRuns(interrupted), await storedRuns(reference)];
    assert.equal(after.length, TOTAL);
    assert.equal(new Set(after.map((run) => `${run.cellHash}:${run.repetition}`)).size, TOTAL);
    assert.deepEqual(after.map(essence), expected.map(essence));
    assert.ok(
      after.some((run) => run.status === 'failed'),
      'the spec makes some runs fail on purpose',
    );

    const again = await sweepInChild(interrupted);
    assert.equal(
      (JSON.parse(again.lines.at(-1)!) as { done: number }).done,
      0,
      'a finished sweep does nothing',
    );
  });
});
