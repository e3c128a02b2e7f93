import type * as z from 'zod';
import { describeValue } from '../core/errors.js';

/** One schema violation, phrased like `InvalidArgumentError`: the field, what was expected, what was found. */
export interface SchemaProblem {
  readonly field: string;
  readonly expected: string;
  readonly received: string;
}

/**
 * Turns the first issue of a failed zod parse into one readable line. zod's own messages are generic ("Too small:
 * expected number to be >0"); here each issue is rephrased from its structured fields and the offending value is
 * looked up in the input, so the user sees e.g. `training.epochs: expected an integer ≥ 1, got 0`.
 */
export function describeSchemaProblem(
  error: z.ZodError,
  input: unknown,
  schema: z.ZodType,
  root = '',
): SchemaProblem {
  const issue = error.issues[0];
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const value = valueAt(input, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      const allowed = allowedKeys(schema, input, path);
      return {
        field: formatPath(root, [...path, key]),
        expected: allowed ? `one of the known keys (${allowed.join(', ')})` : 'a known key',
        received: 'an unknown key',
      };
    }
    case 'invalid_type':
      return {
        field: formatPath(root, path),
        expected: customOr(issue.message, article(issue.expected)),
        received: value === undefined ? 'nothing (the field is required)' : describeValue(value),
      };
    case 'too_small':
    case 'too_big': {
      const word = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const what =
        issue.origin === 'array' ? `a list with ${word} ${bound} entries` : `a value ${word} ${bound}`;
      return {
        field: formatPath(root, path),
        expected: customOr(issue.message, what),
        received: describeValue(value),
      };
    }
    case 'invalid_value':
      return {
        field: formatPath(root, path),
        expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        received: describeValue(value),
      };
    case 'invalid_union': {
      const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : [];
      return {
        field: formatPath(root, path),
        // A union's own message (e.g. `an integer ≥ 1 or "d0"`) says more than "a valid value".
        expected: customOr(
          issue.message,
          options.length > 0 ? `one of ${options.map((o) => JSON.stringify(o)).join(', ')}` : 'a valid value',
        ),
        received: describeValue(value),
      };
    }
    default:
      return { field: formatPath(root, path), expected: issue.message, received: describeValue(value) };
  }
}

/** zod's default messages start with a capital ("Invalid input", "Too small"); ours are phrases like "an integer". */
function customOr(message: string, fallback: string): string {
  return /^[A-Z]/.test(message) ? fallback : message;
}

function article(expected: string): string {
  const names: Record<string, string> = {
    int: 'an integer',
    number: 'a finite number',
    string: 'a string',
    boolean: 'true or false',
    object: 'an object',
    array: 'a list',
  };
  return names[expected] ?? expected;
}

function formatPath(root: string, path: readonly (string | number)[]): string {
  let text = root;
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? part : `.${part}`;
  }
  return text === '' ? '(top level)' : text;
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/**
 * The keys an object schema accepts at `path`, found by walking the schema alongside the input (unwrapping
 * optional/default wrappers and picking the branch of a discriminated union that the input selects).
 */
function allowedKeys(
  schema: z.ZodType,
  input: unknown,
  path: readonly (string | number)[],
): string[] | undefined {
  let node: unknown = schema;
  let value = input;
  for (let depth = 0; ; depth++) {
    node = unwrap(node, value);
    if (depth === path.length) break;
    const part = path[depth];
    const def = defOf(node);
    if (def?.type === 'object') node = (def.shape as Record<string, unknown>)[String(part)];
    else if (def?.type === 'array') node = def.element;
    else if (def?.type === 'record') node = def.valueType;
    else return undefined;
    value =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  const def = defOf(node);
  return def?.type === 'object' ? Object.keys(def.shape as object) : undefined;
}

function unwrap(node: unknown, value: unknown): unknown {
  for (;;) {
    const def = defOf(node);
    if (def === undefined) return node;
    if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch'].includes(def.type as string)) {
      node = def.innerType;
    } else if (def.type === 'pipe') {
      node = def.in;
    } else if (def.type === 'union' && typeof def.discriminator === 'string') {
      const tag =
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[def.discriminator]
          : undefined;
      const options = def.options as unknown[];
      const match = options.find((option) => {
        const shape = defOf(option)?.shape as Record<string, unknown> | undefined;
        const literal = shape ? defOf(shape[def.discriminator as string]) : undefined;
        return Array.isArray(literal?.values) && (literal.values as unknown[]).includes(tag);
      });
      if (match === undefined) return node;
      node = match;
    } else {
      return node;
    }
  }
}

function defOf(node: unknown): Record<string, unknown> | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const def = (node as { def?: unknown }).def;
  return def !== null && typeof def === 'object' ? (def as Record<string, unknown>) : undefined;
}
