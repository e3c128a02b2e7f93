import { decodeState, encodeState, type ExplorerState } from './state.js';
import type { TrainedPayload } from './worker/protocol.js';

type Listener = (store: Store) => void;

/**
 * The page's single source of truth: the explorer state (mirrored into the URL hash on every change), the uploaded
 * CSV text, and the last trained network. Views read it and call `update`; they never talk to each other.
 */
export class Store {
  state: ExplorerState;
  csvText: string | undefined;
  trained: TrainedPayload | undefined;
  private readonly listeners: Listener[] = [];

  constructor(hash: string) {
    const decoded = decodeState(hash);
    this.state = decoded.state;
    this.csvText = decoded.csv === undefined ? undefined : decodeCsvParameter(decoded.csv);
    this.problems = decoded.problems;
  }

  readonly problems: readonly string[];

  update(next: ExplorerState): void {
    this.state = next;
    this.writeUrl();
    for (const listener of this.listeners) listener(this);
  }

  setTrained(payload: TrainedPayload | undefined): void {
    this.trained = payload;
    for (const listener of this.listeners) listener(this);
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** The shareable link. An uploaded CSV travels inside it (base64url), so the link needs no server. */
  link(): string {
    const url = new URL(window.location.href);
    url.hash = this.hash();
    return url.toString();
  }

  hash(): string {
    const base = encodeState(this.state);
    return this.csvText === undefined ? base : `${base}&csv=${encodeCsvParameter(this.csvText)}`;
  }

  writeUrl(): void {
    history.replaceState(null, '', `#${this.hash()}`);
  }
}

export function encodeCsvParameter(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function decodeCsvParameter(text: string): string {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}
