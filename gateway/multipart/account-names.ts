import type { MetaStore } from '../../src/meta/store.ts';
import type { OwnerXmlInput } from '../../src/s3/xml.ts';

/**
 * Owner / Initiator elements of a listing: account id and name, each account looked up once per
 * request (a page names at most a few accounts).
 */
export class AccountNames {
  readonly #known = new Map<string, Promise<OwnerXmlInput>>();

  constructor(private readonly store: MetaStore) {}

  of(accountId: string): Promise<OwnerXmlInput> {
    let owner = this.#known.get(accountId);
    if (!owner) {
      owner = this.store.getAccount(accountId).then((account) => ({ id: accountId, displayName: account?.name ?? accountId }));
      this.#known.set(accountId, owner);
    }
    return owner;
  }
}
