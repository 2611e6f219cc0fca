import type { IAMClient } from '@aws-sdk/client-iam';
import { fetchAuthorizationDetails } from '../adapters/iam-authorization-details';
import { parseAuthorizationDetails, type IamSnapshot } from '../core/iam/snapshot';

export interface IamSnapshotDependencies {
  readonly iam: IAMClient;
  readonly store: { putSnapshot(snapshot: IamSnapshot): Promise<number> };
  /** The deployment's own account: entities of any other account in the output are refused (listed as problems). */
  readonly accountId: string;
  readonly now: () => Date;
}

export interface IamSnapshotOutcome {
  readonly accountId: string;
  readonly time: string;
  readonly pages: number;
  readonly entities: number;
  readonly items: number;
  readonly problems: readonly string[];
}

/**
 * Takes one snapshot: reads every page of GetAccountAuthorizationDetails, parses it, and stores it. Its time
 * is when the first page was requested: a change made during the read may or may not be in it, and the
 * histories (CloudTrail) after that time replay it either way. Nothing is stored unless every page was read.
 */
export async function takeIamSnapshot(deps: IamSnapshotDependencies): Promise<IamSnapshotOutcome> {
  const time = deps.now().toISOString();
  const output = await fetchAuthorizationDetails(deps.iam);
  const snapshot = parseAuthorizationDetails(output, { time, accountId: deps.accountId });
  // Every list was requested and read to its end: a missing type means a broken response, not an empty one.
  if (snapshot.CompleteTypes.length !== 4) throw new Error(`the snapshot is incomplete (complete: ${snapshot.CompleteTypes.join(', ') || 'none'}); nothing stored`);
  const items = await deps.store.putSnapshot(snapshot);
  return { accountId: snapshot.AccountId, time, pages: output.Pages, entities: snapshot.Entities.size, items, problems: snapshot.Problems };
}
