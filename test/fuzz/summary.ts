import { formatTable } from '../../src/report/format.js';
import type { CaseOutcome } from './runner.js';
import { FUZZ_CLASSES, type FuzzClass } from './types.js';

/** How a command line reads in a report: arguments with spaces or odd characters quoted, long ones cut. */
export function commandLine(args: readonly string[]): string {
  const shown = args.map((arg) => {
    const cut = arg.length > 80 ? `${arg.slice(0, 60)}…(${arg.length} chars)` : arg;
    return /^[\w./:,=@%+-]+$/.test(cut) ? cut : JSON.stringify(cut);
  });
  return `basin ${shown.join(' ')}`;
}

function excerpt(text: string, limit = 600): string {
  const trimmed = text.trimEnd();
  return trimmed.length > limit ? `${trimmed.slice(0, limit)}… (${trimmed.length} chars)` : trimmed;
}

/** One failed case as a few lines: the command, what went wrong, and what it printed. */
export function describeOutcome(outcome: CaseOutcome): string {
  const lines = [
    `${outcome.id} [${outcome.class}]: ${commandLine(outcome.args)}`,
    ...outcome.problems.map((problem) => `  - ${problem}`),
    `  exit ${outcome.signal ?? outcome.status}, ${(outcome.milliseconds / 1000).toFixed(1)} s`,
  ];
  if (outcome.stderr.trim() !== '')
    lines.push(`  stderr: ${excerpt(outcome.stderr).replaceAll('\n', '\n          ')}`);
  return lines.join('\n');
}

/** Counts per class: cases, clean, failed. */
export function classTable(outcomes: readonly CaseOutcome[]): string {
  const rows = (Object.keys(FUZZ_CLASSES) as FuzzClass[]).map((fuzzClass) => {
    const of = outcomes.filter((o) => o.class === fuzzClass);
    const clean = of.filter((o) => o.clean).length;
    return [fuzzClass, String(of.length), String(clean), String(of.length - clean)];
  });
  const clean = outcomes.filter((o) => o.clean).length;
  rows.push(['all', String(outcomes.length), String(clean), String(outcomes.length - clean)]);
  return formatTable(['class', 'cases', 'clean', 'failed'], rows);
}

/** Counts per command. */
export function commandTable(outcomes: readonly CaseOutcome[]): string {
  const commands = [...new Set(outcomes.map((o) => o.command))];
  const rows = commands.map((command) => {
    const of = outcomes.filter((o) => o.command === command);
    const clean = of.filter((o) => o.clean).length;
    return [command, String(of.length), String(clean), String(of.length - clean)];
  });
  return formatTable(['command', 'cases', 'clean', 'failed'], rows);
}

/** The failing cases grouped by class, in Markdown: for whoever fixes them. */
export function failuresMarkdown(outcomes: readonly CaseOutcome[], heading: string): string {
  const failed = outcomes.filter((o) => !o.clean);
  const parts = [
    `# ${heading}`,
    '',
    `${failed.length} of ${outcomes.length} cases failed.`,
    '',
    '```',
    classTable(outcomes),
    '```',
    '',
  ];
  for (const fuzzClass of Object.keys(FUZZ_CLASSES) as FuzzClass[]) {
    const of = failed.filter((o) => o.class === fuzzClass);
    if (of.length === 0) continue;
    parts.push(`## ${fuzzClass} (${of.length}): ${FUZZ_CLASSES[fuzzClass]}`, '');
    for (const outcome of of) {
      parts.push(`### \`${outcome.id}\``, '', '```', commandLine(outcome.args));
      parts.push(`exit: ${outcome.signal ?? outcome.status}, ${(outcome.milliseconds / 1000).toFixed(1)} s`);
      if (outcome.stderr.trim() !== '') parts.push(`stderr: ${excerpt(outcome.stderr)}`);
      else if (outcome.stdout.trim() !== '') parts.push(`stdout: ${excerpt(outcome.stdout, 300)}`);
      parts.push('```', '', ...outcome.problems.map((problem) => `- ${problem}`), '');
    }
  }
  return `${parts.join('\n')}\n`;
}
