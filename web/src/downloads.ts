/** Saves text or a data URL as a file through a temporary link (works in Chromium and Firefox). */
export function download(filename: string, content: string | Blob, type = 'application/octet-stream'): void {
  const blob =
    typeof content === 'string' && !content.startsWith('data:') ? new Blob([content], { type }) : content;
  const url = typeof blob === 'string' ? blob : URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  if (typeof blob !== 'string') setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function exportButton(label: string, onClick: () => void | Promise<void>): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.addEventListener('click', () => void onClick());
  return button;
}

/** Rows as CSV text with a header line. */
export function toCsv(header: readonly string[], rows: readonly (readonly number[])[]): string {
  return [header.join(','), ...rows.map((row) => row.map((v) => String(v)).join(','))].join('\n') + '\n';
}
