import { validationError } from '../../core/investigation/errors';
import type { HourIndex } from '../../core/storage/hour-index';
import { hoursOverlapping } from '../../core/storage/hours';
import { mapWithConcurrency } from '../../shared/concurrency';
import { CONCURRENT_READS, MAX_INDEX_ITEMS_PER_REQUEST, type EntityGraphReads } from './graph-reads';

/**
 * The hour indexes of every registered account for the hours of [fromMs, toMs): one Query of the accounts
 * registry, then one Query per account. Cost: accounts × hours index items at most; a scope that would read
 * more than MAX_INDEX_ITEMS_PER_REQUEST is refused with a 400 that says how to narrow it.
 */
export async function indexesOfScope(reads: EntityGraphReads, fromMs: number, toMs: number): Promise<HourIndex[]> {
  const accounts = await reads.accounts();
  const hours = hoursOverlapping(fromMs, toMs).length;
  if (accounts.length * hours > MAX_INDEX_ITEMS_PER_REQUEST) {
    throw validationError(
      `The scope covers ${hours} hours of ${accounts.length} accounts: ${accounts.length * hours} hour indexes, over the ${MAX_INDEX_ITEMS_PER_REQUEST} one request may read. Narrow ScopeStartTime to ScopeEndTime.`,
    );
  }
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  return (await mapWithConcurrency(accounts, CONCURRENT_READS, (account) => reads.hourIndexes(account, from, to))).flat();
}
