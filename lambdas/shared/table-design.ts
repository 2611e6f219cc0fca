/**
 * The DynamoDB table design, written once and used by both the CDK stack (lib/) and the embedded
 * local mode (local/), so the tables created locally are exactly the ones deployed.
 *
 * Every write is a deterministic function of one log object (see README "Table design"), which is
 * what makes ingestion idempotent with plain BatchWriteItem puts: BatchWriteItem cannot do atomic
 * counters, so counts are stored as per-object partial items and summed at read time.
 */

export type KeyType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface IndexDesign {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableDesign {
  /** Logical id used by CDK and the suffix of the local table name. */
  readonly id: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDesign[];
  /** Attribute holding the expiry epoch seconds (DynamoDB TTL). */
  readonly timeToLiveAttribute: string;
  /** The environment variable through which Lambda functions receive the table name. */
  readonly envVar: string;
}

export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * Role sessions. One item per view of a session:
 *  - `sk = CREATED#<recipientAccountId>`: facts from the session-creating event (AssumeRole*, GetFederationToken,
 *    GetSessionToken). Cross-account assumptions are logged in both accounts, hence one item per recipient.
 *  - `sk = SEEN#<objectId>`: facts observed from `userIdentity.sessionContext` of API calls made with the session
 *    in one log object, so a session whose creating event is in no ingested file still exists.
 */
export const SESSIONS_TABLE: TableDesign = {
  id: 'Sessions',
  partitionKey: { name: 'sessionId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    // Sessions of a role (or, for federation and MFA session tokens, of the IAM user that issued them) by creation time.
    { indexName: 'byIssuer', partitionKey: { name: 'issuerArn', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
    // Children of a session (role chaining); sparse: only chained CREATED items carry parentSessionId.
    { indexName: 'byParent', partitionKey: { name: 'parentSessionId', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
    // Sessions started directly by a non-session principal (IAM user, SAML/SSO/web-identity user, EC2 instance, AWS service, root).
    { indexName: 'byOrigin', partitionKey: { name: 'originKey', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
  ],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'SESSIONS_TABLE',
};

/**
 * Activity aggregates: one item per (subject, hour, log object) with API calls by service:API, successes and
 * failures, source IPs, user agents and resources. Subjects are principals (`principal#<key>`) and sessions
 * (`session#<accessKeyId>`). `sk = <yyyy-mm-ddThh>#<objectId>`.
 */
export const ACTIVITY_TABLE: TableDesign = {
  id: 'Activity',
  partitionKey: { name: 'subject', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'ACTIVITY_TABLE',
};

/** Bookkeeping of ingested S3 objects: status, counts, errors. `objectKey = s3://bucket/key`. */
export const INGESTED_OBJECTS_TABLE: TableDesign = {
  id: 'IngestedObjects',
  partitionKey: { name: 'objectKey', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'INGESTED_OBJECTS_TABLE',
};

/**
 * Investigations (Detective's Investigation API objects). Every ListInvestigations filter and sort is a Query of
 * one of these indexes, all sorted by `createdTime` (see lambdas/core/investigation/listing.ts, which declares
 * the same list with the attributes each key combines): `listKey` is the constant `INVESTIGATION` (every
 * investigation); `severity`, `status`, `state` and `entityArn` are the item's own attributes; the pairs are
 * attributes written as `<first>#<second>` (e.g. `stateStatus = ACTIVE#RUNNING`), rewritten by every update.
 * One more item, `config#next-token-key`, holds the NextToken signing key; it has no index attribute.
 */
const byCreatedTimeOf = (indexName: string, partitionKey: string): IndexDesign => ({ indexName, partitionKey: { name: partitionKey, type: 'S' }, sortKey: { name: 'createdTime', type: 'S' } });
export const INVESTIGATIONS_TABLE: TableDesign = {
  id: 'Investigations',
  partitionKey: { name: 'investigationId', type: 'S' },
  globalSecondaryIndexes: [
    byCreatedTimeOf('byCreatedTime', 'listKey'),
    byCreatedTimeOf('bySeverity', 'severity'),
    byCreatedTimeOf('byStatus', 'status'),
    byCreatedTimeOf('byState', 'state'),
    byCreatedTimeOf('byEntity', 'entityArn'),
    byCreatedTimeOf('byStatusSeverity', 'statusSeverity'),
    byCreatedTimeOf('byStateSeverity', 'stateSeverity'),
    byCreatedTimeOf('byStateStatus', 'stateStatus'),
    byCreatedTimeOf('byEntitySeverity', 'entitySeverity'),
    byCreatedTimeOf('byEntityStatus', 'entityStatus'),
  ],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'INVESTIGATIONS_TABLE',
};

/** Indicators of an investigation: `sk = <IndicatorType>#<zero-padded sequence>`, so a type filter is a key condition. */
export const INDICATORS_TABLE: TableDesign = {
  id: 'Indicators',
  partitionKey: { name: 'investigationId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'INDICATORS_TABLE',
};

/** GuardDuty findings received through the EventBridge trigger (`findingId`), for related-finding lookups and de-duplication. */
export const FINDINGS_TABLE: TableDesign = {
  id: 'Findings',
  partitionKey: { name: 'findingId', type: 'S' },
  globalSecondaryIndexes: [{ indexName: 'byEntity', partitionKey: { name: 'entityArn', type: 'S' }, sortKey: { name: 'updatedAt', type: 'S' } }],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'FINDINGS_TABLE',
};

/** Tables the ingestion pipeline uses. */
export const INGESTION_TABLES: readonly TableDesign[] = [SESSIONS_TABLE, ACTIVITY_TABLE, INGESTED_OBJECTS_TABLE];

export const ALL_TABLES: readonly TableDesign[] = [...INGESTION_TABLES, INVESTIGATIONS_TABLE, INDICATORS_TABLE, FINDINGS_TABLE];

/** Environment variable with the retention of ingested data in days (drives the TTL attribute). */
export const RETENTION_DAYS_ENV = 'RETENTION_DAYS';
export const DEFAULT_RETENTION_DAYS = 365;
