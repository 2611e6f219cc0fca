/** IAM state over time (issue 11): fold CloudTrail's IAM events and snapshots into each entity's permissions at a moment. */
export { IAM_EVENT_SOURCE, changesByEntity, compareChanges, entityKey, iamChangesOf, orderKey, policyRefOfArn } from './events';
export { DEFAULT_BOUND_LIMITS, boundHistory, foldPastRetention, historiesFromRecords, historyBytes, mergeHistory } from './history';
export type { BoundLimits } from './history';
export { MAX_DOCUMENT_CHARS, MAX_DOCUMENT_DEPTH, MAX_TRUST_PRINCIPALS, decodePolicyDocument, externalPrincipals, principalAccount, trustPrincipals } from './policy-document';
export { parseAuthorizationDetails, snapshotBaseline } from './snapshot';
export type { IamSnapshot } from './snapshot';
export { foldUntil, stateAt } from './state';
export type { StateOptions } from './state';
export type * from './types';
export { IAM_HISTORY_SLOT, changesPerEntity, decodeHistory, encodeHistory, historyAfter, iamHistorySubject, iamSnapshotSubject, snapshotItems, snapshotOfItems } from './stored';
export type { IamHistoryItem, IamSnapshotItem } from './stored';
export { MAX_SCOPE_CHANGES, permissionsInScope, sentenceOf } from './scope-report';
export type { PermissionsInScope, ScopeChange } from './scope-report';
