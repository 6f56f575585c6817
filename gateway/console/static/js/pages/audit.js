import { get } from '../api.js';
import { h, setStatus, table } from '../dom.js';
import { time } from '../format.js';

export const REFRESH_MS = 5000;
/** The page shown: null = the newest entries (refreshed), else entries with ids below this. */
let before = null;
const newerPages = [];

/** The admin audit log, newest first, 50 a page. */
export async function render(container, { fresh }) {
  if (fresh) {
    before = null;
    newerPages.length = 0;
  } else if (before !== null) {
    return; // an older page stays as it is; only the newest follows new entries
  }
  await load(container);
}

async function load(container) {
  const page = await get('/api/audit', { before });
  const go = (target) => {
    before = target;
    void load(container);
  };
  const buttons = [];
  if (newerPages.length > 0) buttons.push(h('button', { type: 'button', onclick: () => go(newerPages.pop()) }, 'Newer entries'));
  if (page.nextBefore !== null) {
    buttons.push(h('button', { type: 'button', onclick: () => {
      newerPages.push(before);
      go(page.nextBefore);
    } }, 'Older entries'));
  }
  container.replaceChildren(
    h('h2', {}, 'Admin audit log'),
    table('Console actions, newest first', [{ label: 'Time' }, { label: 'Action' }, { label: 'Outcome' }, { label: 'Subject' }, { label: 'From' }],
      page.entries.map((entry) => [h('th', { scope: 'row' }, time(entry.at)), entry.action, entry.outcome, entry.subject ?? '–', entry.remoteAddress ?? '–'])),
    h('div', { class: 'breadcrumbs' }, buttons));
  setStatus(`${page.entries.length} audit entries shown.`);
}
