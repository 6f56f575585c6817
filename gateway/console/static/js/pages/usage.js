import { get } from '../api.js';
import { h, setStatus, table } from '../dom.js';

/** An account's invoice for a window (default: this UTC month so far), small-object floor line included. */
export async function render(container, { fresh }) {
  if (!fresh) return;
  const { accounts } = await get('/api/accounts');
  const output = h('div', { id: 'invoice' });
  const form = h('form', { onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    await showInvoice(output, { account: data.get('account'), from: data.get('from'), to: data.get('to') }).catch((error) => {
      output.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
    });
  } },
  h('label', { for: 'usage-account' }, 'Account', h('select', { id: 'usage-account', name: 'account' },
    accounts.map((account) => h('option', { value: account.id, selected: account.name === 'root' }, account.name)))),
  h('label', { for: 'usage-from' }, 'From (UTC, optional)', h('input', { id: 'usage-from', name: 'from', placeholder: '2026-12-01' })),
  h('label', { for: 'usage-to' }, 'To (UTC, optional)', h('input', { id: 'usage-to', name: 'to', placeholder: 'now' })),
  h('button', { type: 'submit' }, 'Show invoice'));
  container.replaceChildren(h('h2', {}, 'Usage and invoices'), form, output);
}

async function showInvoice(output, query) {
  const invoice = await get('/api/usage', query);
  output.replaceChildren(
    table(`Invoice of ${invoice.account.name}, ${invoice.window.from} to ${invoice.window.to} (${invoice.currency})`, [
      { label: 'Item' }, { label: 'Quantity', numeric: true }, { label: 'Price', numeric: true }, { label: 'Amount', numeric: true },
    ], [
      ...invoice.lines.map((line) => [
        h('th', { scope: 'row', 'data-item': line.item }, line.description),
        `${line.quantity} ${line.unit}`, `${line.price} / ${line.priceUnit}`, line.amount,
      ]),
      [h('th', { scope: 'row' }, 'Total'), '', '', invoice.total],
    ]),
    table('Per bucket', [
      { label: 'Bucket' }, { label: 'Objects below the floor', numeric: true }, { label: 'Write requests', numeric: true },
      { label: 'Read requests', numeric: true }, { label: 'Bytes out', numeric: true },
    ], invoice.buckets.map((bucket) => [
      h('th', { scope: 'row' }, bucket.bucket), bucket.objectsBelowFloor, bucket.writeRequests, bucket.readRequests, bucket.bytesOut,
    ])));
  setStatus(`Invoice of ${invoice.account.name}: ${invoice.total} ${invoice.currency}.`);
}
