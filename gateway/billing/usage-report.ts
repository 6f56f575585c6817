import { buildInvoice, type Invoice } from '../../src/billing/invoice.ts';
import { packingAdvice, type PackingAdvice } from '../../src/billing/packing-advice.ts';
import type { PriceTable } from '../../src/billing/price-table.ts';
import { StorageAccrual } from '../../src/billing/storage-accrual.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import type { Account } from '../../src/meta/types.ts';
import type { TimeWindow } from '../../src/meta/usage-types.ts';

/**
 * An account's invoice for a window: its storage events stream through the accrual (one range
 * scan of the ledger, memory per bucket), request usage is summed by the store, then priced.
 */
export async function computeInvoice(
  store: Pick<MetaStore, 'scanStorageEvents' | 'sumRequestUsage'>,
  account: Pick<Account, 'id' | 'name'>,
  window: TimeWindow,
  prices: PriceTable,
): Promise<Invoice> {
  const accrual = new StorageAccrual(window, prices.floorBytes);
  await store.scanStorageEvents(account.id, window.to, (event) => accrual.add(event));
  const requests = await store.sumRequestUsage(account.id, window);
  return buildInvoice({ account, window, prices, storage: accrual.buckets(), requests });
}

/** The `limit` prefixes (of one account, or all) holding the most objects below the floor, with what packing saves. */
export async function computePackingAdvice(
  store: Pick<MetaStore, 'smallObjectPrefixes'>,
  accountId: string | undefined,
  limit: number,
  prices: PriceTable,
): Promise<PackingAdvice[]> {
  const prefixes = await store.smallObjectPrefixes({ accountId, belowBytes: prices.floorBytes, limit });
  return packingAdvice(prefixes, prices);
}
