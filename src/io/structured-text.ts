import { extname } from 'node:path';
import { parseDocument, type Tags } from 'yaml';
import { FileFormatError } from '../core/errors.js';

/*
 * The one reader of the config and sweep-spec files people write, JSON (.json) or YAML (anything else), with the
 * same strictness as flags (src/core/numbers.ts):
 *   - YAML 1.2's core schema would read `0x10` and `0o17` as 16 and 15 and `.inf`/`.nan` as numbers; basin keeps
 *     those as text, so a number field refuses them by name instead of taking a value the author may not have meant.
 *   - A key written twice is refused in both syntaxes. YAML refuses it by default; JSON.parse keeps the last value
 *     silently, so JSON files are also read once by the YAML parser in its JSON schema, for its duplicate-key check.
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
    const duplicate = parseDocument(text, { schema: 'json' }).errors.find(
      (error) => error.code === 'DUPLICATE_KEY',
    );
    if (duplicate !== undefined) throw duplicate;
    return value;
  } catch (error) {
    const detail = ((error as Error).message ?? String(error))
      .split('\n')[0]
      .replace('Map keys must be unique', 'a key is written twice')
      .replace(/:$/, '');
    throw new FileFormatError(file, `not valid ${syntax}: ${detail}`);
  }
}
