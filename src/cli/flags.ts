import { Option } from 'commander';
import type * as z from 'zod';
import { InvalidArgumentError } from '../core/errors.js';
import { parseDecimal } from '../core/numbers.js';

/*
 * The one way a basin command declares a typed flag. Each helper returns a commander Option whose argParser turns
 * the text into the value, so an action receives numbers, lists and checked choices, never text to convert. A bad
 * value stops the command before it starts with basin's one-line error naming the flag and what it expected,
 * `basin: --epochs: expected an integer ≥ 0, got "x"` (an InvalidArgumentError, which commander passes through and
 * main.ts prints). Number flags take the zod schemas of src/io/schema-primitives.ts, whose error texts are exactly
 * the "expected …" part, so a flag and a config field with the same schema say the same thing.
 */

/**
 * A flag's text → its value, or an InvalidArgumentError naming `flag`. The library's own parsers,
 * `parseBackendRequest(text, argument)`, `parseActivation(text, argument)` and the like, already have this shape.
 */
export type FlagParser<T> = (text: string, flag: string) => T;

/** The one number reader (src/core/numbers.ts), re-exported for the flag helpers' users. */
export { parseDecimal };

/**
 * A number checked against a zod schema (positiveInteger, nonNegative, unitInterval, seed32, …); the error says
 * what the schema's error text says. Text that is not a decimal number gets the schema's type error, so the schema
 * must name what it expects in its `error` texts, as those of schema-primitives.ts do.
 */
export function numberParser(schema: z.ZodType<number>): FlagParser<number> {
  return (text, flag) => {
    const parsed = schema.safeParse(parseDecimal(text) ?? Number.NaN);
    if (!parsed.success) throw new InvalidArgumentError(flag, parsed.error.issues[0].message, text);
    return parsed.data;
  };
}

/** How a list of choices reads after "expected": `a or b`, `one of a, b, c`. */
export function describeChoices(choices: readonly string[]): string {
  return choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `one of ${choices.join(', ')}`;
}

/** One of `choices`, exactly as written. */
export function choiceParser<T extends string>(choices: readonly T[]): FlagParser<T> {
  return (text, flag) => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new InvalidArgumentError(flag, describeChoices(choices), text);
    }
    return text as T;
  };
}

/**
 * A comma-separated list (`--hidden 16,8`), each item parsed by `item` after trimming its spaces. An empty item
 * (`16,,8`, or an empty flag) is given to `item` as '', which refuses it; the error names the item at fault.
 */
export function listParser<T>(item: FlagParser<T>): FlagParser<T[]> {
  return (text, flag) => text.split(',').map((part) => item(part.trim(), flag));
}

/** A flag's name in errors: its long form (`--samples` of `-n, --samples <N>`), else its short form. */
export function flagName(option: Option): string {
  return option.long ?? option.short ?? option.flags;
}

/**
 * The general case: an option whose text `parse` turns into its value. `defaultValue` is the value when the flag
 * is absent (commander does not parse defaults); help shows `defaultText`, else commander's rendering of it.
 */
export function flagOption<T>(
  flags: string,
  description: string,
  parse: FlagParser<T>,
  defaultValue?: T,
  defaultText?: string,
): Option {
  return makeOption(flags, description, parse, defaultValue, defaultText);
}

/** A number flag checked by a zod schema, e.g. `numberOption('--epochs <n>', 'epochs', nonNegativeInteger, 100)`. */
export function numberOption(
  flags: string,
  description: string,
  schema: z.ZodType<number>,
  defaultValue?: number,
): Option {
  return makeOption(flags, description, numberParser(schema), defaultValue);
}

/** A comma-separated list of numbers, each checked by `schema`, e.g. `--hidden 16,8` with positiveInteger. */
export function numberListOption(
  flags: string,
  description: string,
  schema: z.ZodType<number>,
  defaultValue?: readonly number[],
): Option {
  return makeOption(
    flags,
    description,
    listParser(numberParser(schema)),
    defaultValue === undefined ? undefined : [...defaultValue],
    defaultValue?.join(','),
  );
}

/** One of a fixed set of words; help lists them (commander's `choices`), and so does the error. */
export function choiceOption<T extends string>(
  flags: string,
  description: string,
  choices: readonly T[],
  defaultValue?: T,
): Option {
  return makeOption(flags, description, choiceParser(choices), defaultValue, undefined, choices);
}

/** A comma-separated list of words from a fixed set, e.g. `--rows mnist,cifar-16`. */
export function choiceListOption<T extends string>(
  flags: string,
  description: string,
  choices: readonly T[],
  defaultValue?: readonly T[],
): Option {
  return makeOption(
    flags,
    `${description} (comma-separated: ${choices.join(', ')})`,
    listParser(choiceParser(choices)),
    defaultValue === undefined ? undefined : [...defaultValue],
    defaultValue?.join(','),
  );
}

function makeOption<T>(
  flags: string,
  description: string,
  parse: FlagParser<T>,
  defaultValue: T | undefined,
  defaultText?: string,
  choices?: readonly string[],
): Option {
  const option = new Option(flags, description);
  // choices() lists the choices in help but installs commander's own check, whose message ("Allowed choices are
  // …", exit status 2) is not basin's: the parser set after it replaces that check.
  if (choices !== undefined) option.choices(choices);
  const name = flagName(option);
  option.argParser((text: string) => parse(text, name));
  if (defaultValue !== undefined) option.default(defaultValue, defaultText);
  return option;
}
