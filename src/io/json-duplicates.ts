/*
 * JSON.parse keeps the last of two equal keys in an object without a word. For files people write or edit (configs,
 * sweep specs, weights), a key written twice is a mistake to report, so they are scanned once for it: a linear pass
 * over the text that tracks strings and object nesting, cheap beside JSON.parse even for megabytes of weights.
 * Call it on text JSON.parse accepted; on other text its answer means nothing.
 */

/** Where a key is written a second time: its path (`model.hidden`, `cells[2].width`) and line. */
export interface DuplicateKey {
  readonly path: string;
  readonly line: number;
}

interface Frame {
  readonly keys: Set<string> | undefined;
  readonly path: string;
  index: number;
  key: string | undefined;
}

function childPath(frame: Frame): string {
  if (frame.keys === undefined) return `${frame.path}[${frame.index}]`;
  return frame.path === '' ? (frame.key ?? '') : `${frame.path}.${frame.key ?? ''}`;
}

/** The first key written twice in one object of valid JSON `text`, or undefined when there is none. */
export function firstDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  let line = 1;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const frame = stack[stack.length - 1];
      if (expectKey && frame?.keys !== undefined) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (frame.keys.has(key)) {
          frame.key = key;
          return { path: childPath(frame), line };
        }
        frame.keys.add(key);
        frame.key = key;
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      const path = parent === undefined ? '' : childPath(parent);
      stack.push({ keys: c === '{' ? new Set() : undefined, path, index: 0, key: undefined });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const frame = stack[stack.length - 1];
      if (frame !== undefined) {
        frame.index++;
        expectKey = frame.keys !== undefined;
      }
    }
  }
  return undefined;
}
