import { ApiError, login, loggedIn, logout, onLoggedOut } from './api.js';
import { setStatus } from './dom.js';
import * as audit from './pages/audit.js';
import * as buckets from './pages/buckets.js';
import * as cluster from './pages/cluster.js';
import * as reads from './pages/reads.js';
import * as usage from './pages/usage.js';

const PAGES = { cluster, buckets, usage, reads, audit };
const loginSection = document.getElementById('login');
const nav = document.getElementById('nav');
const page = document.getElementById('page');
let refreshTimer = null;
let shown = null;

function showLogin() {
  clearInterval(refreshTimer);
  shown = null;
  nav.hidden = true;
  page.replaceChildren();
  loginSection.hidden = false;
  document.getElementById('token').focus();
}

async function showPage() {
  if (!loggedIn()) return showLogin();
  loginSection.hidden = true;
  nav.hidden = false;
  const name = PAGES[location.hash.slice(1)] ? location.hash.slice(1) : 'cluster';
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  clearInterval(refreshTimer);
  const module = PAGES[name];
  const changed = shown !== name;
  shown = name;
  if (changed) page.replaceChildren();
  await renderSafely(module, changed);
  if (module.REFRESH_MS) refreshTimer = setInterval(() => renderSafely(module, false), module.REFRESH_MS);
}

async function renderSafely(module, fresh) {
  // A refresh rebuilds the page: keep keyboard focus on the same control (same tag and label).
  const focused = !fresh && page.contains(document.activeElement) ? document.activeElement : null;
  const focusKey = focused && [focused.tagName, focused.textContent];
  try {
    await module.render(page, { fresh });
    if (focusKey && !page.contains(focused)) {
      const again = [...page.querySelectorAll(focusKey[0])].find((element) => element.textContent === focusKey[1]);
      again?.focus();
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    setStatus(`Error: ${error.message}`);
  }
}

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  const message = document.getElementById('login-error');
  message.textContent = '';
  try {
    await login(input.value);
    input.value = '';
    setStatus('Logged in.');
    await showPage();
    document.getElementById('main').focus();
  } catch (error) {
    message.textContent = error instanceof ApiError && error.status === 401 ? 'Wrong admin token.' : `Login failed: ${error.message}`;
    input.select();
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  await logout().catch(() => {});
  setStatus('Logged out.');
  showLogin();
});

onLoggedOut(() => {
  setStatus('Your session ended; log in again.');
  showLogin();
});
window.addEventListener('hashchange', () => void showPage());
void showPage();
