import { GetAccountAuthorizationDetailsCommand, IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';

/**
 * Reads the whole of `iam:GetAccountAuthorizationDetails` for the caller's account, page by page, into the
 * single JSON object `aws iam get-account-authorization-details` prints (what lambdas/core/iam/snapshot.ts
 * parses). Every page must succeed: an error on any page is thrown, so that no partial output is ever taken
 * for the account's whole IAM state.
 */

/** The four filters: every user, role, group and customer-managed policy (AWS-managed policies are not the account's). */
export const AUTHORIZATION_DETAILS_FILTER = ['User', 'Role', 'Group', 'LocalManagedPolicy'] as const;

/** IAM's largest page. */
const PAGE_ITEMS = 1000;
/**
 * Pages at most. IAM's quotas (5,000 users, 5,000 roles, 300 groups, 5,000 policies at most) fit in a few dozen
 * pages; a service that kept answering IsTruncated would otherwise keep the function running until its timeout.
 */
export const MAX_AUTHORIZATION_DETAILS_PAGES = 200;

const LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;

/** Throttling (IAM's `Throttling`) is retried by the SDK: adaptive mode also slows the client's own rate. */
export function iamSnapshotClient(overrides: IAMClientConfig = {}): IAMClient {
  return new IAMClient({ retryMode: 'adaptive', maxAttempts: 10, ...overrides });
}

export interface AuthorizationDetails {
  UserDetailList: unknown[];
  GroupDetailList: unknown[];
  RoleDetailList: unknown[];
  Policies: unknown[];
  IsTruncated: false;
  /** Pages read. */
  Pages: number;
}

export async function fetchAuthorizationDetails(client: IAMClient): Promise<AuthorizationDetails> {
  const merged: AuthorizationDetails = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [], IsTruncated: false, Pages: 0 };
  let marker: string | undefined;
  for (;;) {
    if (merged.Pages >= MAX_AUTHORIZATION_DETAILS_PAGES) throw new Error(`GetAccountAuthorizationDetails was still truncated after ${MAX_AUTHORIZATION_DETAILS_PAGES} pages`);
    const page = await client.send(new GetAccountAuthorizationDetailsCommand({ Filter: [...AUTHORIZATION_DETAILS_FILTER], MaxItems: PAGE_ITEMS, ...(marker ? { Marker: marker } : {}) }));
    merged.Pages++;
    for (const key of LISTS) {
      const items = page[key];
      if (items) for (const item of items) merged[key].push(item);
    }
    if (!page.IsTruncated) break;
    // A truncated page without a marker cannot be continued: its output would be silently partial.
    if (!page.Marker) throw new Error(`GetAccountAuthorizationDetails page ${merged.Pages} is truncated but has no Marker`);
    if (page.Marker === marker) throw new Error(`GetAccountAuthorizationDetails returned the same Marker twice (page ${merged.Pages})`);
    marker = page.Marker;
  }
  // The SDK parses dates into Date objects; the CLI's JSON (what the parser reads) has ISO-8601 strings.
  return JSON.parse(JSON.stringify(merged)) as AuthorizationDetails;
}
