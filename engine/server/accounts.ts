import type { Account } from '../transport/types.js';

/** Where integrated accounts come from. The embedding service implements it over its own storage. */
export interface AccountStore {
  get(id: string): Promise<Account | undefined>;
}

/** Accounts held in memory (tests, the sandbox, services that load accounts themselves). */
export class MemoryAccountStore implements AccountStore {
  private readonly accounts = new Map<string, Account>();

  constructor(accounts: Iterable<Account> = []) {
    for (const account of accounts) this.accounts.set(account.id, account);
  }

  async get(id: string): Promise<Account | undefined> {
    return this.accounts.get(id);
  }

  set(account: Account): void {
    this.accounts.set(account.id, account);
  }

  ids(): string[] {
    return [...this.accounts.keys()];
  }
}
