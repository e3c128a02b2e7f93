import { extname } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Tags } from 'yaml';
import { FileFormatError } from '../core/errors.js';
import { firstDuplicateKey } from './json-duplicates.js';

/*
 * The one reader of the config and sweep-spec files people write, JSON (.json) or YAML (anything else), with the
 * same strictness as flags (src/core/numbers.ts):
 *   - YAML 1.2's core schema would read `0x10` and `0o17` as 16 and 15 and `.inf`/`.nan` as numbers; basin keeps
 *     those as text, so a number field refuses them by name instead of taking a value the author may not have meant.
 *   - A key written twice is refused in both syntaxes, naming it. YAML's parser refuses it (duplicateKeyPath finds
 *     its name); JSON.parse keeps the last value silently, so JSON text is scanned for it (json-duplicates.ts).
 */

/** The core schema's tags without hex and octal integers and without `.inf`/`.nan`. */
function decimalCoreTags(tags: Tags): Tags {
  return tags.filter((tag) => {
    const format = (tag as { format?: string }).format;
    const test = String((tag as { test?: RegExp }).test ?? '');
    return format !== 'HEX' && format !== 'OCT' && !test.includes('nan');
  });
}

/** The syntax `file`'s extension selects. */
export function structuredTextSyntax(file: string): 'JSON' | 'YAML' {
  return extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
}

/** Parses a config or spec file's text; a FileFormatError naming `file` and the first problem's line. */
export function parseStructuredText(text: string, file: string): unknown {
  const syntax = structuredTextSyntax(file);
  try {
    if (syntax === 'YAML') {
      // A warning (an unknown tag such as !!js/function) would otherwise go to stderr through process.emitWarning
      // and the value be read as plain text; it is refused like an error.
      const document = parseDocument(text, {
        schema: 'core',
        customTags: decimalCoreTags,
        logLevel: 'silent',
      });
      const problem = document.errors[0] ?? document.warnings[0];
      if (problem !== undefined) throw problem;
      return document.toJS();
    }
    const value: unknown = JSON.parse(text);
    const duplicate = firstDuplicateKey(text);
    if (duplicate !== undefined) {
      throw new FileFormatError(
        file,
        `not valid JSON: a key is written twice: "${duplicate.path}" at line ${duplicate.line}`,
      );
    }
    return value;
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    const first = ((error as Error).message ?? String(error)).split('\n')[0].replace(/:$/, '');
    const duplicate =
      (error as { code?: string }).code === 'DUPLICATE_KEY' ? duplicateKeyPath(text) : undefined;
    const detail = first.replace(
      'Map keys must be unique',
      duplicate === undefined ? 'a key is written twice' : `a key is written twice: "${duplicate}"`,
    );
    throw new FileFormatError(file, `not valid ${syntax}: ${detail}`);
  }
}

/**
 * The dotted path of the first key written twice in YAML text ("model.hidden", "runs[2].seed"), for the error: the
 * parser's own message gives only a line and column, and the author looks for a name.
 */
export function duplicateKeyPath(text: string): string | undefined {
  const document = parseDocument(text, { schema: 'json', uniqueKeys: false });
  const walk = (node: unknown, path: string): string | undefined => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = path === '' ? key : `${path}.${key}`;
        if (seen.has(key)) return child;
        seen.add(key);
        const inner = walk(pair.value, child);
        if (inner !== undefined) return inner;
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        const inner = walk(item, `${path}[${index}]`);
        if (inner !== undefined) return inner;
      }
    }
    return undefined;
  };
  return walk(document.contents, '');
}
