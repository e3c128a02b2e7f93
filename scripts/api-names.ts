/**
 * The names of basin's public API, read by the TypeScript compiler from the entry points:
 *
 *   node --import tsx scripts/api-names.ts                 the namespaces of `basin` and `basin/node` and their sizes
 *   node --import tsx scripts/api-names.ts --since <ref>   also where each top-level name of <ref>'s src/index.ts
 *                                                          went (the migration table of docs/api.md)
 *
 * A name is matched by its declaration (file and name), so the table follows the symbol, not its spelling.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
};

interface Entry {
  /** Where the name is reached from: `basin`, `basin/node`, `basin: model`, … */
  readonly place: string;
  readonly name: string;
  /** `file:name` of the declaration the export resolves to, relative to its source root. */
  readonly key: string;
  /** A value (function, class, constant, namespace), not only a type. */
  readonly value: boolean;
}

function original(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function keyOf(checker: ts.TypeChecker, symbol: ts.Symbol, sourceRoot: string): string {
  const target = original(checker, symbol);
  const declaration = target.declarations?.[0];
  const file = declaration ? relative(sourceRoot, declaration.getSourceFile().fileName) : '?';
  return `${file}:${target.name}`;
}

/**
 * Every name an entry point exports: each top-level name under its entry's label, and the members of each namespace
 * (`export * as x`) under `label: x`.
 */
function entryNames(sourceRoot: string, entries: Readonly<Record<string, string>>): Entry[] {
  const files = Object.values(entries).map((file) => join(sourceRoot, file));
  const program = ts.createProgram(files, OPTIONS);
  const checker = program.getTypeChecker();
  const names: Entry[] = [];
  for (const [label, file] of Object.entries(entries)) {
    const source = program.getSourceFile(join(sourceRoot, file));
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`cannot read ${file}`);
    const entry = (place: string, symbol: ts.Symbol): Entry => ({
      place,
      name: symbol.name,
      key: keyOf(checker, symbol, sourceRoot),
      value: (original(checker, symbol).flags & ts.SymbolFlags.Value) !== 0,
    });
    for (const symbol of checker.getExportsOfModule(module)) {
      names.push(entry(label, symbol));
      const target = original(checker, symbol);
      if (target.valueDeclaration && ts.isSourceFile(target.valueDeclaration)) {
        for (const member of checker.getExportsOfModule(target))
          names.push(entry(`${label}: ${symbol.name}`, member));
      }
    }
  }
  return names;
}

/** The top-level names of `ref`'s src/index.ts, read from a copy of that commit's src/. */
function namesAt(ref: string): Entry[] {
  const copy = mkdtempSync(join(tmpdir(), 'basin-api-'));
  try {
    const archive = execFileSync('git', ['archive', ref, 'src', 'package.json'], {
      cwd: ROOT,
      maxBuffer: 1 << 28,
    });
    execFileSync('tar', ['-x', '-C', copy], { input: archive });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    return entryNames(copy, { basin: 'src/index.ts' });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const current = entryNames(ROOT, { basin: 'src/index.ts', 'basin/node': 'src/node.ts' });

/** `all (values)` of a list of names. */
function count(entries: readonly Entry[]): string {
  return `${entries.length} (${entries.filter((entry) => entry.value).length})`;
}

const places = [...new Set(current.map((entry) => entry.place))];
const keysAt = (place: string): string =>
  current
    .filter((entry) => entry.place === place)
    .map((entry) => entry.key)
    .sort()
    .join();
console.log('| Where | Names (of them values) |\n| --- | ---: |');
for (const place of places) {
  // basin/node re-exports the browser namespaces; list only the ones it changes.
  const browser = place.replace(/^basin\/node: /, 'basin: ');
  if (browser !== place && places.includes(browser) && keysAt(browser) === keysAt(place)) continue;
  console.log(`| \`${place}\` | ${count(current.filter((entry) => entry.place === place))} |`);
}

const since = process.argv.indexOf('--since');
if (since !== -1) {
  const ref = process.argv[since + 1];
  if (!ref) throw new Error('--since needs a git ref');
  const old = namesAt(ref);
  // Prefer the browser entry; `basin/node` only for what the browser entry lacks.
  const where = new Map<string, string>();
  for (const entry of current) {
    const [module, namespace] = entry.place.split(': ');
    const spelled = namespace ? `${namespace}.${entry.name}` : entry.name;
    const place = `\`${spelled}\` from \`${module}\``;
    if (!where.has(entry.key) || (module === 'basin' && !where.get(entry.key)!.endsWith('`basin`'))) {
      where.set(entry.key, place);
    }
  }
  const now = current.filter((entry) => entry.place === 'basin');
  console.log(
    `\nTop-level names (of them values): ${count(old)} at ${ref}, ${count(now)} now in \`basin\`.\n`,
  );
  console.log('| Old top-level name | Now |\n| --- | --- |');
  for (const entry of [...old].sort((a, b) => a.name.localeCompare(b.name))) {
    const file = entry.key.slice(0, entry.key.lastIndexOf(':'));
    console.log(
      `| \`${entry.name}\` | ${where.get(entry.key) ?? `not public; inside the library: \`${file}\``} |`,
    );
  }
}
