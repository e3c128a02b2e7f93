import { InvalidArgumentError } from '../../core/errors.js';

/**
 * How class indices become a binary task. Positive samples get the label +1 (or 1 under the {0,1} encoding).
 * - `parity`: even classes positive, odd negative; the Soudry–Hoffer code's default for torchvision data
 *   (`-1 if label % 2 else +1`).
 * - `low-high`: classes ≥ `boundary` positive, the rest negative; with boundary 5 this is the authors' CIFAR rule
 *   (classes 0–4 airplane…deer → −1, 5–9 dog…truck → +1).
 * - `classes`: explicit lists; samples of classes in neither list are left out.
 */
export type BinarySplit =
  | { readonly kind: 'parity' }
  | { readonly kind: 'low-high'; readonly boundary: number }
  | { readonly kind: 'classes'; readonly positive: readonly number[]; readonly negative: readonly number[] };

/** true = positive, false = negative, undefined = not part of the task. */
export function splitSide(split: BinarySplit, label: number): boolean | undefined {
  switch (split.kind) {
    case 'parity':
      return label % 2 === 0;
    case 'low-high':
      return label >= split.boundary;
    case 'classes':
      if (split.positive.includes(label)) return true;
      return split.negative.includes(label) ? false : undefined;
  }
}

/** Checks a split; errors name `argument` (`split`, or the flag it came from, `--binary`) and the part at fault. */
export function validateBinarySplit(split: BinarySplit, argument = 'split'): BinarySplit {
  if (split.kind === 'low-high' && !(Number.isInteger(split.boundary) && split.boundary >= 1)) {
    throw new InvalidArgumentError(`${argument}.boundary`, 'an integer ≥ 1', split.boundary);
  }
  if (split.kind === 'classes') {
    for (const [name, list] of [
      [`${argument}.positive`, split.positive],
      [`${argument}.negative`, split.negative],
    ] as const) {
      if (list.length === 0) throw new InvalidArgumentError(name, 'at least one class index', '[]');
      for (const c of list) {
        if (!Number.isInteger(c) || c < 0)
          throw new InvalidArgumentError(name, 'class indices (integers ≥ 0)', c);
      }
    }
    const shared = split.positive.find((c) => split.negative.includes(c));
    if (shared !== undefined) {
      throw new InvalidArgumentError(
        argument,
        'disjoint positive and negative class lists',
        `class ${shared} in both`,
      );
    }
  }
  return split;
}

const SPLIT_SYNTAX =
  'parity, low-high, low-high:B (classes ≥ B positive) or pos:LIST/neg:LIST (e.g. pos:5,7/neg:0,1)';

/** Parses `parity`, `low-high`, `low-high:3` or `pos:1,3,5/neg:0,2,4`. */
export function parseBinarySplit(text: string, argument = 'split'): BinarySplit {
  const trimmed = text.trim();
  if (trimmed === 'parity') return { kind: 'parity' };
  if (trimmed === 'low-high') return { kind: 'low-high', boundary: 5 };
  const lowHigh = /^low-high:(\d+)$/.exec(trimmed);
  if (lowHigh) return validateBinarySplit({ kind: 'low-high', boundary: Number(lowHigh[1]) }, argument);
  const lists = /^pos:([\d,\s]+)\/neg:([\d,\s]+)$/.exec(trimmed);
  if (lists) {
    const parse = (list: string): number[] =>
      list
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
        .map(Number);
    return validateBinarySplit(
      { kind: 'classes', positive: parse(lists[1]), negative: parse(lists[2]) },
      argument,
    );
  }
  throw new InvalidArgumentError(argument, SPLIT_SYNTAX, text);
}

/** The split in the words a results table or a provenance record uses. */
export function describeBinarySplit(split: BinarySplit): string {
  switch (split.kind) {
    case 'parity':
      return 'parity (even classes +1, odd −1)';
    case 'low-high':
      return `low-high (classes ≥ ${split.boundary} +1, below −1)`;
    case 'classes':
      return `classes (${split.positive.join(',')} +1; ${split.negative.join(',')} −1; others dropped)`;
  }
}
