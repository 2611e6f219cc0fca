/**
 * The DynamoDB table design, written once and used by both the CDK stack (lib/) and the embedded
 * local mode (local/), so the tables created locally are exactly the ones deployed.
 *
 * Storage v2 (see README "Storage"): ingestion registers each log object under the account-hours its events
 * belong to; a compactor merges an account-hour's objects into one item per principal and hour, each event
 * once, and writes the hour's compact events to the index bucket. Every item is a deterministic function of
 * the records it summarises, so plain puts are idempotent.
 */

import { BOOKKEEPING_DAYS } from '../core/model/items';

export type KeyType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface IndexDesign {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /**
   * What the index copies: its keys only, every attribute, or its keys and `includedAttributes`. Each copy is
   * billed again in write units and storage, so indexes whose readers fetch the items anyway project keys only.
   * @default 'ALL'
   */
  readonly projection?: 'KEYS_ONLY' | 'ALL' | 'INCLUDE';
  /**
   * The non-key attributes an INCLUDE projection copies (what the index's readers show).
   * @default none
   */
  readonly includedAttributes?: readonly string[];
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
  /**
   * DynamoDB table class. Standard-IA stores at $0.10 instead of $0.25 per GB-month and bills requests 25% more:
   * the right class for a table whose cost is mostly what it keeps for a year, which is what compacted activity
   * and sessions are (see README "Cost model").
   * @default 'STANDARD'
   */
  readonly tableClass?: 'STANDARD' | 'STANDARD_INFREQUENT_ACCESS';
  /**
   * How long a successfully written item is kept, when shorter than the retention (bookkeeping).
   * @default the retention
   */
  readonly keptDays?: number;
}

export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * Role sessions, packed: per issuer (role) and account-hour, one gzip pack of the sessions created and used in
 * it, plus small pointers from a parent session to its children and from an origin (a user, an instance, a
 * federated identity) to the roles it started sessions of. The layout, and why, is in
 * lambdas/core/storage/session-packs.ts. No index: every read is a Query on a key.
 */
export const SESSIONS_TABLE: TableDesign = {
  id: 'Sessions',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'SESSIONS_TABLE',
  tableClass: 'STANDARD_INFREQUENT_ACCESS',
};

/**
 * Compacted activity: one item per (subject, hour, recording account) with calls per minute, API calls by service:API with
 * successes and failures, source IPs, user agents, resources, sessions, and where the hour's compact events lie
 * in the index bucket. Subjects are principal keys (`role#<arn>`, `iam-user#<arn>`, …) and accounts
 * (`account#<id>`, whose item is also the hour's compaction manifest).
 */
export const ACTIVITY_TABLE: TableDesign = {
  id: 'Activity',
  partitionKey: { name: 'subject', type: 'S' },
  // `<hour>#<recording account>`: one item per account whose trail recorded the subject's calls in the hour.
  sortKey: { name: 'slot', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'ACTIVITY_TABLE',
  tableClass: 'STANDARD_INFREQUENT_ACCESS',
};

/** The log objects of each account-hour (`hourKey = <account>#<hour>`, `objectId`): what the compactor merges. */
export const HOUR_OBJECTS_TABLE: TableDesign = {
  id: 'HourObjects',
  partitionKey: { name: 'hourKey', type: 'S' },
  sortKey: { name: 'objectId', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'HOUR_OBJECTS_TABLE',
  keptDays: BOOKKEEPING_DAYS,
};

/** Bookkeeping of ingested S3 objects: status, counts, errors. `objectKey = s3://bucket/key`. */
export const INGESTED_OBJECTS_TABLE: TableDesign = {
  id: 'IngestedObjects',
  partitionKey: { name: 'objectKey', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'INGESTED_OBJECTS_TABLE',
  // Objects ingested with problems are kept as long as their data: a few, in the cost model's terms.
  keptDays: BOOKKEEPING_DAYS,
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

/**
 * The attributes the `byDay` index copies: what `POST /graph/listFindings` shows of a finding
 * (lambdas/adapters/findings/listing.ts), not its raw JSON (up to 32 KB) nor its lookup data.
 */
export const FINDING_LIST_ATTRIBUTES = ['id', 'type', 'severity', 'title', 'accountId', 'region', 'updatedAt', 'entityArn', 'entityType', 'principalArn', 'skipReason', 'investigationId', 'investigationStatus'] as const;

/**
 * GuardDuty findings received through the EventBridge trigger (`findingId`), for related-finding lookups and
 * de-duplication (`byEntity`), and for the list of findings (`byDay`: `listDay = day#YYYY-MM-DD` of the
 * finding's updatedAt, `listSort = <updatedAt>#<finding id>`, set on finding items only, so lookup items stay
 * out of it; see lambdas/adapters/findings/items.ts).
 */
export const FINDINGS_TABLE: TableDesign = {
  id: 'Findings',
  partitionKey: { name: 'findingId', type: 'S' },
  globalSecondaryIndexes: [
    { indexName: 'byEntity', partitionKey: { name: 'entityArn', type: 'S' }, sortKey: { name: 'updatedAt', type: 'S' } },
    { indexName: 'byDay', partitionKey: { name: 'listDay', type: 'S' }, sortKey: { name: 'listSort', type: 'S' }, projection: 'INCLUDE', includedAttributes: FINDING_LIST_ATTRIBUTES },
  ],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  envVar: 'FINDINGS_TABLE',
};

/** Tables the ingestion pipeline uses. */
export const INGESTION_TABLES: readonly TableDesign[] = [SESSIONS_TABLE, ACTIVITY_TABLE, HOUR_OBJECTS_TABLE, INGESTED_OBJECTS_TABLE];

/** Environment variable naming the bucket of compacted hours' events (the index bucket). */
export const INDEX_BUCKET_ENV = 'INDEX_BUCKET';
/** Environment variable naming the FIFO queue of account-hours to compact. */
export const COMPACTION_QUEUE_ENV = 'COMPACTION_QUEUE_URL';

export const ALL_TABLES: readonly TableDesign[] = [...INGESTION_TABLES, INVESTIGATIONS_TABLE, INDICATORS_TABLE, FINDINGS_TABLE];

/** Environment variable with the retention of ingested data in days (drives the TTL attribute). */
export const RETENTION_DAYS_ENV = 'RETENTION_DAYS';
export const DEFAULT_RETENTION_DAYS = 365;
