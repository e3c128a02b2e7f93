/** A small element builder so view code reads as structure: el('button', { class: 'primary' }, 'Train'). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children);
  return element;
}

/** A labelled form control inside a fieldset grid: returns the control. */
export function field<T extends HTMLElement>(parent: HTMLElement, label: string, control: T): T {
  const id = control.id || `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  control.id = id;
  parent.append(el('label', { for: id }, label), control);
  return control;
}

export function select(
  options: readonly (string | readonly [string, string])[],
  value: string,
): HTMLSelectElement {
  const element = el('select');
  for (const option of options) {
    const [key, text] = typeof option === 'string' ? [option, option] : option;
    element.append(el('option', { value: key }, text));
  }
  element.value = value;
  return element;
}

export function numberInput(value: number, step = 'any', min?: number, max?: number): HTMLInputElement {
  const input = el('input', { type: 'number', step });
  if (min !== undefined) input.min = String(min);
  if (max !== undefined) input.max = String(max);
  input.value = String(value);
  return input;
}

/** A card with a title, optional export buttons, and a body. */
export function card(
  title: string,
  ...exports: HTMLButtonElement[]
): { root: HTMLElement; body: HTMLElement } {
  const body = el('div');
  const heading = el('h2', {}, title);
  if (exports.length > 0) heading.append(el('span', { class: 'exports' }, ...exports));
  return { root: el('section', { class: 'card', 'aria-label': title }, heading, body), body };
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e5 ? value.toPrecision(digits) : value.toExponential(digits - 1);
}
