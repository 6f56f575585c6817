import { parseDecimal } from './decimal.ts';
import type { Invoice, InvoiceLine } from './invoice.ts';
import type { PackingAdvice } from './packing-advice.ts';
import { formatMoney } from './price-table.ts';
import { DECIMAL_SCALE, formatByteSize } from './units.ts';

/**
 * The invoice as `shardgate usage` prints it: one line per charge, the small-object floor as its
 * own sentence ("N objects below 1 MiB billed as 1 MiB: +X GB-month, +$Y"), the total, then the
 * usage per bucket.
 */
export function formatInvoice(invoice: Invoice): string {
  const money = (decimal: string) => formatMoney(parseDecimal(decimal, DECIMAL_SCALE) ?? 0n, invoice.currency);
  const rows: string[][] = [];
  const out: string[] = [
    `Invoice for account ${invoice.account.name} (${invoice.account.id})`,
    `Window ${invoice.window.from} to ${invoice.window.to}, prices in ${invoice.currency}`,
    '',
  ];
  const table: (string[] | string)[] = [];
  for (const line of invoice.lines) {
    if (line.item === 'small-object-floor') {
      table.push(`  ${line.description}: +${line.quantity} GB-month, +${money(line.amount)}`);
      continue;
    }
    const row = [line.description, quantityText(line), `× ${money(line.price)}/${line.priceUnit}`, money(line.amount)];
    rows.push(row);
    table.push(row);
  }
  const totalRow = ['Total', '', '', money(invoice.total)];
  rows.push(totalRow);
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const render = (row: string[]) => `  ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padEnd(widths[2]!)}  ${row[3]!.padStart(widths[3]!)}`;
  for (const entry of table) out.push(typeof entry === 'string' ? entry : render(entry));
  out.push(render(totalRow));
  if (invoice.buckets.length > 0) {
    out.push('', 'Usage by bucket:');
    out.push(...formatColumns(
      ['bucket', 'objects < floor', 'write req', 'read req', 'free req', 'bytes in', 'bytes out'],
      invoice.buckets.map((bucket) => [
        bucket.bucket === '' ? '(service)' : bucket.bucket,
        String(bucket.objectsBelowFloor), String(bucket.writeRequests), String(bucket.readRequests),
        String(bucket.freeRequests), String(bucket.bytesIn), String(bucket.bytesOut),
      ]),
    ));
  }
  return `${out.join('\n')}\n`;
}

/** `shardgate usage --advise`: the prefixes with the most small objects and what packing saves. */
export function formatPackingAdvice(advice: readonly PackingAdvice[], floorBytes: number, currency: string): string {
  const floor = formatByteSize(floorBytes);
  if (advice.length === 0) return `No prefix holds two or more objects below ${floor}: packing would save nothing.\n`;
  const lines = [`Prefixes with the most objects below ${floor}; packing each into one archive would save:`, ''];
  lines.push(...formatColumns(
    ['bucket/prefix', 'objects', 'bytes', 'billed as', 'as one archive', 'saves GB-month/month', `saves ${currency}/month`],
    advice.map((entry) => [
      `${entry.bucket}/${entry.prefix}`, String(entry.objects), String(entry.bytes), String(entry.billedBytes),
      String(entry.packedBilledBytes), entry.savedGbMonthPerMonth,
      formatMoney(parseDecimal(entry.savedPerMonth, DECIMAL_SCALE) ?? 0n, currency),
    ]),
  ));
  return `${lines.join('\n')}\n`;
}

function quantityText(line: InvoiceLine): string {
  return `${line.quantity} ${line.unit}`;
}

/** Left-aligned first column, right-aligned numbers, two spaces apart. */
function formatColumns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column]!.length)));
  return all.map((row) => `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`);
}
