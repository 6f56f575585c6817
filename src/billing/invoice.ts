import type { RequestUsageTotal, TimeWindow } from '../meta/usage-types.ts';
import { divideRounded, formatDecimal } from './decimal.ts';
import { formatPrice, priceTableJson, type PriceTable } from './price-table.ts';
import { isBilledStatus } from './request-class.ts';
import type { BucketStorage } from './storage-accrual.ts';
import {
  BYTE_MS_PER_GB_MONTH, BYTES_PER_GB, DECIMAL_SCALE, NANOS_PER_UNIT, REQUESTS_PER_PRICE, formatByteSize,
} from './units.ts';

export type InvoiceItem = 'storage' | 'small-object-floor' | 'egress' | 'write-requests' | 'read-requests';

/**
 * One priced line. Quantities and amounts are decimal strings (9 fractional digits at most):
 * exact, and JSON-safe. `amount` is the line's quantity × price rounded to a nano once; the
 * invoice total is the sum of the line amounts, so the lines add up to the total exactly.
 */
export interface InvoiceLine {
  readonly item: InvoiceItem;
  readonly description: string;
  readonly quantity: string;
  readonly unit: 'GB-month' | 'GB' | 'requests';
  readonly price: string;
  readonly priceUnit: 'GB-month' | 'GB' | '1,000 requests';
  readonly amount: string;
  /** small-object-floor only: how many object versions below the floor the window saw. */
  readonly objects?: number;
}

/** What was metered, per bucket and in total, before pricing. Byte-milliseconds are decimal strings (exact). */
export interface BucketUsage {
  readonly bucket: string;
  readonly storedByteMs: string;
  readonly partByteMs: string;
  readonly floorByteMs: string;
  readonly objectsBelowFloor: number;
  readonly writeRequests: number;
  readonly readRequests: number;
  readonly freeRequests: number;
  /** Requests answered with a 5xx status: metered, never billed. */
  readonly unbilledRequests: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface Invoice {
  readonly account: { readonly id: string; readonly name: string };
  readonly window: { readonly from: string; readonly to: string };
  readonly currency: string;
  readonly prices: Record<string, string | number>;
  readonly lines: readonly InvoiceLine[];
  readonly total: string;
  readonly buckets: readonly BucketUsage[];
}

export interface InvoiceInput {
  readonly account: { readonly id: string; readonly name: string };
  readonly window: TimeWindow;
  readonly prices: PriceTable;
  readonly storage: readonly BucketStorage[];
  readonly requests: readonly RequestUsageTotal[];
}

interface MutableBucketUsage {
  storedByteMs: bigint; partByteMs: bigint; floorByteMs: bigint; objectsBelowFloor: number;
  writeRequests: number; readRequests: number; freeRequests: number; unbilledRequests: number;
  bytesIn: number; bytesOut: number;
}

/** Prices metered usage: storage, the small-object floor as its own line, egress, requests. */
export function buildInvoice(input: InvoiceInput): Invoice {
  const { prices } = input;
  const buckets = collectBuckets(input);
  const sum = (pick: (usage: MutableBucketUsage) => bigint) => [...buckets.values()].reduce((total, usage) => total + pick(usage), 0n);
  const count = (pick: (usage: MutableBucketUsage) => number) => [...buckets.values()].reduce((total, usage) => total + pick(usage), 0);

  const storedByteMs = sum((usage) => usage.storedByteMs);
  const floorByteMs = sum((usage) => usage.floorByteMs);
  const objectsBelowFloor = count((usage) => usage.objectsBelowFloor);
  const egressBytes = BigInt(count((usage) => usage.bytesOut));
  const writeRequests = BigInt(count((usage) => usage.writeRequests));
  const readRequests = BigInt(count((usage) => usage.readRequests));

  const lines: InvoiceLine[] = [
    {
      item: 'storage',
      description: 'Storage',
      ...priced(storedByteMs, BYTE_MS_PER_GB_MONTH, prices.storageNanosPerGbMonth, 'GB-month'),
    },
    {
      item: 'small-object-floor',
      description: `${objectsBelowFloor} object${objectsBelowFloor === 1 ? '' : 's'} below ${formatByteSize(prices.floorBytes)} billed as ${formatByteSize(prices.floorBytes)}`,
      objects: objectsBelowFloor,
      ...priced(floorByteMs, BYTE_MS_PER_GB_MONTH, prices.storageNanosPerGbMonth, 'GB-month'),
    },
    {
      item: 'egress',
      description: 'Egress',
      ...priced(egressBytes, BYTES_PER_GB, prices.egressNanosPerGb, 'GB'),
    },
    {
      item: 'write-requests',
      description: 'PUT, COPY, POST and LIST requests',
      ...pricedRequests(writeRequests, prices.writeNanosPer1000Requests),
    },
    {
      item: 'read-requests',
      description: 'GET, HEAD and other requests',
      ...pricedRequests(readRequests, prices.readNanosPer1000Requests),
    },
  ];
  const totalNanos = lines.reduce((total, line) => total + amountNanos(line), 0n);
  return {
    account: { id: input.account.id, name: input.account.name },
    window: { from: input.window.from.toISOString(), to: input.window.to.toISOString() },
    currency: prices.currency,
    prices: priceTableJson(prices),
    lines,
    total: formatDecimal(totalNanos, DECIMAL_SCALE),
    buckets: [...buckets.entries()].map(([bucket, usage]) => ({
      bucket,
      storedByteMs: usage.storedByteMs.toString(),
      partByteMs: usage.partByteMs.toString(),
      floorByteMs: usage.floorByteMs.toString(),
      objectsBelowFloor: usage.objectsBelowFloor,
      writeRequests: usage.writeRequests,
      readRequests: usage.readRequests,
      freeRequests: usage.freeRequests,
      unbilledRequests: usage.unbilledRequests,
      bytesIn: usage.bytesIn,
      bytesOut: usage.bytesOut,
    })),
  };
}

/** A line's amount back in nanos (exact: amounts have at most 9 fractional digits). */
export function amountNanos(line: Pick<InvoiceLine, 'amount'>): bigint {
  const [whole, fraction = ''] = line.amount.split('.');
  return BigInt(whole!) * NANOS_PER_UNIT + BigInt(fraction.padEnd(DECIMAL_SCALE, '0') || '0');
}

/** quantity = measured / perUnit (rounded to 9 digits for display); amount = measured × price / perUnit, rounded once. */
export function priced(measured: bigint, perUnit: bigint, nanosPerUnit: bigint, unit: 'GB-month' | 'GB') {
  return {
    quantity: formatDecimal(divideRounded(measured * NANOS_PER_UNIT, perUnit), DECIMAL_SCALE),
    unit,
    price: formatPrice(nanosPerUnit),
    priceUnit: unit,
    amount: formatDecimal(divideRounded(measured * nanosPerUnit, perUnit), DECIMAL_SCALE),
  };
}

function pricedRequests(requests: bigint, nanosPer1000: bigint) {
  return {
    quantity: requests.toString(),
    unit: 'requests' as const,
    price: formatPrice(nanosPer1000),
    priceUnit: '1,000 requests' as const,
    amount: formatDecimal(divideRounded(requests * nanosPer1000, REQUESTS_PER_PRICE), DECIMAL_SCALE),
  };
}

/** Storage and request totals merged per bucket, in bucket name order. */
function collectBuckets(input: InvoiceInput): Map<string, MutableBucketUsage> {
  const buckets = new Map<string, MutableBucketUsage>();
  const of = (bucket: string) => {
    let usage = buckets.get(bucket);
    if (!usage) {
      usage = {
        storedByteMs: 0n, partByteMs: 0n, floorByteMs: 0n, objectsBelowFloor: 0,
        writeRequests: 0, readRequests: 0, freeRequests: 0, unbilledRequests: 0, bytesIn: 0, bytesOut: 0,
      };
      buckets.set(bucket, usage);
    }
    return usage;
  };
  for (const storage of input.storage) {
    const usage = of(storage.bucket);
    usage.storedByteMs += storage.storedByteMs;
    usage.partByteMs += storage.partByteMs;
    usage.floorByteMs += storage.floorByteMs;
    usage.objectsBelowFloor += storage.objectsBelowFloor;
  }
  for (const total of input.requests) {
    const usage = of(total.bucket);
    usage.bytesIn += total.bytesIn;
    if (!isBilledStatus(total.status)) {
      usage.unbilledRequests += total.requests;
      continue;
    }
    usage.bytesOut += total.bytesOut;
    if (total.requestClass === 'write') usage.writeRequests += total.requests;
    else if (total.requestClass === 'read') usage.readRequests += total.requests;
    else usage.freeRequests += total.requests;
  }
  return new Map([...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
