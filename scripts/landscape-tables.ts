/**
 * The tables of a `basin landscape graph|path|volume --out` record as Markdown, for docs/landscape.md: the same rows
 * the report's section shows (src/report/landscape-section.ts), so the docs and the report cannot disagree.
 *
 *   npx tsx scripts/landscape-tables.ts jellyfish.json > tables.md
 */
import { readFileSync } from 'node:fs';
import { parseReportableRecord } from '../src/landscape/record-file.js';
import { landscapeSection } from '../src/report/landscape-section.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: npx tsx scripts/landscape-tables.ts <record.json>\n');
  process.exit(2);
}
const section = landscapeSection(parseReportableRecord(readFileSync(file, 'utf8'), file));
const cell = (text: string): string => text.replaceAll('|', '\\|');
for (const table of section.tables) {
  const lines = [
    `**${cell(table.caption)}**`,
    '',
    `| ${table.headers.map(cell).join(' | ')} |`,
    `| ${table.headers.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
