import { get, post } from '../api.js';
import { h, setStatus, table } from '../dom.js';
import { bytes, time } from '../format.js';

// Where the browser is: an account, then one of its buckets, then a prefix inside it; each list
// a page at a time (the "Next page" button carries the cursor the API returned).
const view = { accountId: null, bucket: null, prefix: '', after: null, trail: [], pageSize: 100 };

export async function render(container, { fresh }) {
  if (!fresh) return;
  const { accounts } = await get('/api/accounts');
  if (view.accountId === null && accounts.length > 0) view.accountId = (accounts.find((a) => a.name === 'root') ?? accounts[0]).id;
  const select = h('select', { id: 'account', onchange: (event) => {
    Object.assign(view, { accountId: event.target.value, bucket: null, prefix: '', after: null, trail: [] });
    void draw(container, select);
  } }, accounts.map((account) => h('option', { value: account.id, selected: account.id === view.accountId }, account.name)));
  await draw(container, select);
}

async function draw(container, select) {
  const body = view.bucket === null ? await bucketList() : await objectList();
  const sizes = h('select', { id: 'page-size', onchange: (event) => {
    Object.assign(view, { pageSize: Number(event.target.value), after: null, trail: [] });
    void draw(container, select);
  } }, [10, 50, 100, 500].map((size) => h('option', { value: size, selected: size === view.pageSize }, String(size))));
  container.replaceChildren(
    h('h2', {}, 'Buckets and objects'),
    h('form', { onsubmit: (event) => event.preventDefault() },
      h('label', { for: 'account' }, 'Account', select),
      h('label', { for: 'page-size' }, 'Objects per page', sizes)),
    body,
  );
  async function bucketList() {
    const page = await get('/api/buckets', { account: view.accountId, after: view.after });
    setStatus(`${page.buckets.length} bucket(s) of ${page.account.name}`);
    return h('div', {},
      table(`Buckets of ${page.account.name}`, [{ label: 'Bucket' }, { label: 'ACL' }, { label: 'Created' }],
        page.buckets.map((bucket) => [
          h('th', { scope: 'row' }, h('button', { type: 'button', class: 'open-bucket', 'data-bucket': bucket.name, onclick: () => {
            Object.assign(view, { bucket: bucket.name, prefix: '', after: null, trail: [] });
            void draw(container, select);
          } }, bucket.name)),
          bucket.acl, time(bucket.createdAt),
        ])),
      pager(page.nextAfter, () => draw(container, select)));
  }
  async function objectList() {
    const page = await get('/api/objects', { bucket: view.bucket, prefix: view.prefix, after: view.after, limit: view.pageSize });
    setStatus(`${page.objects.length} object(s) and ${page.prefixes.length} folder(s) in ${view.bucket}/${view.prefix}`);
    const linkArea = h('div', { id: 'download-link', 'aria-live': 'polite' });
    const up = () => {
      Object.assign(view, { bucket: null, prefix: '', after: null, trail: [] });
      void draw(container, select);
    };
    return h('div', {},
      h('div', { class: 'breadcrumbs' },
        h('button', { type: 'button', onclick: up }, '← All buckets'),
        h('span', {}, `${view.bucket}/${view.prefix}`)),
      table(`Objects in ${view.bucket}/${view.prefix}`, [
        { label: 'Key' }, { label: 'Size', numeric: true }, { label: 'Last modified' }, { label: 'Download' },
      ], [
        ...page.prefixes.map((prefix) => [
          h('th', { scope: 'row' }, h('button', { type: 'button', onclick: () => {
            Object.assign(view, { prefix, after: null });
            void draw(container, select);
          } }, prefix)),
          '', '', '',
        ]),
        ...page.objects.map((object) => [
          h('th', { scope: 'row' }, object.key), bytes(object.size), time(object.lastModified),
          h('button', { type: 'button', class: 'make-link', 'data-key': object.key, onclick: () => makeLink(object.key, linkArea) }, `Create download link for ${object.key}`),
        ]),
      ]),
      pager(page.nextAfter, () => draw(container, select)),
      linkArea);
  }
}

function pager(nextAfter, redraw) {
  const buttons = [];
  if (view.trail.length > 0) {
    buttons.push(h('button', { type: 'button', onclick: () => {
      view.after = view.trail.pop();
      void redraw();
    } }, 'Previous page'));
  }
  if (nextAfter !== null) {
    buttons.push(h('button', { type: 'button', onclick: () => {
      view.trail.push(view.after);
      view.after = nextAfter;
      void redraw();
    } }, 'Next page'));
  }
  return h('div', { class: 'breadcrumbs' }, buttons);
}

async function makeLink(key, area) {
  const link = await post('/api/download-link', { bucket: view.bucket, key });
  area.replaceChildren(
    h('p', {}, `Download link for ${key}, valid until ${time(link.expiresAt)} (signed by the console's read-only key): `,
      h('a', { href: link.url, class: 'link-out', id: 'download-anchor', rel: 'noreferrer' }, `Download ${key}`)));
  setStatus(`Download link created for ${key}.`);
  area.querySelector('a').focus();
}
