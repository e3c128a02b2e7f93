import { Store } from './store.js';
import { VIEWS, type View } from './state.js';
import { WorkerClient } from './worker-client.js';
import { mountLandscape } from './views/landscape.js';
import { mountMinima } from './views/minima.js';
import { mountPlayground, type Notices } from './views/playground.js';
import { mountResults } from './views/results.js';

const store = new Store(window.location.hash);
const worker = new WorkerClient();
const notice = document.getElementById('notice')!;

const notices: Notices = {
  error(message) {
    notice.className = '';
    notice.textContent = message;
    notice.hidden = false;
  },
  clear() {
    notice.hidden = true;
    notice.textContent = '';
  },
};

const panels = Object.fromEntries(
  VIEWS.map((view) => [view, document.getElementById(`view-${view}`)!]),
) as Record<View, HTMLElement>;
const tabs = [...document.querySelectorAll<HTMLButtonElement>('.tabs button')];

const playground = mountPlayground(panels.playground, store, worker, notices);
const landscape = mountLandscape(panels.landscape, store, worker, notices, playground.trainNow);
mountMinima(panels.minima, store, notices, playground.loadPoint);
mountResults(panels.results, notices);

function showView(view: View): void {
  for (const name of VIEWS) panels[name].hidden = name !== view;
  for (const tab of tabs) {
    const selected = tab.dataset.view === view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
}

tabs.forEach((tab, i) => {
  tab.addEventListener('click', () => store.update({ ...store.state, view: tab.dataset.view as View }));
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  tab.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const next = tabs[(i + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  });
});
store.subscribe(() => showView(store.state.view));

document.getElementById('copy-link')!.addEventListener('click', async () => {
  const link = store.link();
  try {
    await navigator.clipboard.writeText(link);
    notices.clear();
  } catch {
    // Clipboard access needs a secure context or permission; the address bar holds the same link.
  }
  notice.className = 'info';
  notice.textContent = `Link copied (it is also in the address bar): ${link.length > 160 ? `${link.slice(0, 160)}…` : link}`;
  notice.hidden = false;
});

showView(store.state.view);
store.writeUrl();
// A link pasted into this tab changes only the hash; start over from it so the page shows what the link says.
window.addEventListener('hashchange', () => {
  if (window.location.hash.slice(1) !== store.hash()) window.location.reload();
});
if (store.problems.length > 0)
  notices.error(`Some link parameters were not understood:\n${store.problems.join('\n')}`);

// A link made after training re-runs the (deterministic) training, then the landscape view it was showing.
if (store.state.trained) {
  void playground.trainNow().then(() => {
    if (store.state.view === 'landscape' && store.trained) void landscape.compute();
  });
}
document.body.dataset.ready = 'true';
