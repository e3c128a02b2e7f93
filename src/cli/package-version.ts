import { readFileSync } from 'node:fs';

/** basin's version, from the package.json above this module (works from src/ under tsx and from dist/). */
export function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const json = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (json.name === 'basin') return json.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}
