import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GuardDutyFindingSummary } from '../../core/analysis/related-findings';
import type { ClaimResult, FindingsRepository, InvestigationClaim } from '../../core/guardduty/ports';
import type { RecordedFinding } from '../../core/guardduty/recorded-finding';
import { dynamoDocumentClient } from '../aws-clients';
import { retentionDays, tableName } from '../../shared/config';
import { FINDINGS_TABLE } from '../../shared/table-design';
import { claimOfItem, fromFindingItem, refItemsOf, toFindingItem, type StoredFinding } from './items';
import { FindingQueries, type RelatedFindingQuery } from './queries';

/**
 * The Findings table: every GuardDuty finding the trigger received (latest version), the investigation
 * reserved on it, and lookup items for related-finding queries (see items.ts). Writes are conditional, so
 * duplicate and out-of-order deliveries leave the same state as one in-order delivery.
 */
function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException';
}

/** Attributes a version may lack; absent ones are removed so an item never mixes two versions. */
const OPTIONAL_ATTRIBUTES = ['title', 'eventFirstSeen', 'eventLastSeen', 'count', 'resourceType', 'accessKey', 'entityArn', 'entityType', 'principalArn', 'skipReason', 'rawTruncated'];

/** How many lookup items are written at once (a port probe finding can list dozens of addresses). */
const REF_WRITE_CONCURRENCY = 8;

export interface FindingsStoreOptions {
  retentionDays: number;
  now?: () => number;
}

export class FindingsStore implements FindingsRepository {
  private readonly queries: FindingQueries;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: FindingsStoreOptions = { retentionDays: 365 },
  ) {
    this.queries = new FindingQueries(client, table);
  }

  /** The store of a deployment: FINDINGS_TABLE and RETENTION_DAYS from the Lambda environment. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, client: DynamoDBDocumentClient = dynamoDocumentClient()): FindingsStore {
    return new FindingsStore(client, tableName(FINDINGS_TABLE, env), { retentionDays: retentionDays(env) });
  }

  private nowIso(): string {
    return new Date(this.options.now?.() ?? Date.now()).toISOString();
  }

  async recordFinding(finding: RecordedFinding): Promise<'recorded' | 'stale'> {
    const { findingId, ...attributes } = toFindingItem(finding, this.options.retentionDays);
    // updatedAt is the version: named apart, since the condition compares it.
    const set = Object.entries(attributes).filter(([name, value]) => value !== undefined && name !== 'updatedAt');
    const remove = OPTIONAL_ATTRIBUTES.filter((name) => (attributes as Record<string, unknown>)[name] === undefined);
    const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#firstReceivedAt': 'firstReceivedAt' };
    const values: Record<string, unknown> = { ':updatedAt': finding.updatedAt, ':now': this.nowIso() };
    set.forEach(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
    });
    remove.forEach((name, i) => (names[`#r${i}`] = name));
    const assignments = ['#updatedAt = :updatedAt', ...set.map((_, i) => `#s${i} = :s${i}`), '#firstReceivedAt = if_not_exists(#firstReceivedAt, :now)'];
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { findingId },
          // SET/REMOVE, not Put: the investigation claim on the item must survive every re-publication.
          UpdateExpression: `SET ${assignments.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : ''}`,
          // Same version again: same values (idempotent). Older than stored: refused.
          ConditionExpression: 'attribute_not_exists(findingId) OR #updatedAt <= :updatedAt',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return 'stale';
      throw error;
    }
    await this.writeRefs(finding);
    return 'recorded';
  }

  /** Lookup items, each conditional on its own version too, since two versions' writes may interleave. */
  private async writeRefs(finding: RecordedFinding): Promise<void> {
    const refs = refItemsOf(finding, this.options.retentionDays);
    for (let i = 0; i < refs.length; i += REF_WRITE_CONCURRENCY) {
      await Promise.all(
        refs.slice(i, i + REF_WRITE_CONCURRENCY).map(async (item) => {
          try {
            await this.client.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(findingId) OR updatedAt <= :u', ExpressionAttributeValues: { ':u': item.updatedAt } }));
          } catch (error) {
            if (!isConditionFailure(error)) throw error;
          }
        }),
      );
    }
  }

  /** One finding by id (strongly consistent), with its investigation reservation if any. */
  async getFinding(findingId: string): Promise<StoredFinding | undefined> {
    const output = await this.client.send(new GetCommand({ TableName: this.table, Key: { findingId }, ConsistentRead: true }));
    if (!output.Item || output.Item.kind !== 'FINDING') return undefined;
    const investigation = claimOfItem(output.Item);
    const firstReceivedAt = output.Item.firstReceivedAt as string | undefined;
    return { ...fromFindingItem(output.Item), ...(investigation ? { investigation } : {}), ...(firstReceivedAt ? { firstReceivedAt } : {}) };
  }

  async claimInvestigation(findingId: string, claim: InvestigationClaim): Promise<ClaimResult> {
    // Without undefined members (graphArn), whatever the client's marshalling options.
    const request = JSON.parse(JSON.stringify(claim.request)) as InvestigationClaim['request'];
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { findingId },
          UpdateExpression: 'SET investigationId = :id, investigationStatus = :status, investigationClaimedAt = :at, investigationRequest = :request',
          ConditionExpression: 'attribute_exists(findingId) AND attribute_not_exists(investigationId)',
          ExpressionAttributeValues: { ':id': claim.investigationId, ':status': claim.status, ':at': claim.claimedAt, ':request': request },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const output = await this.client.send(new GetCommand({ TableName: this.table, Key: { findingId }, ConsistentRead: true }));
    const existing = output.Item ? claimOfItem(output.Item) : undefined;
    // The condition failed, so the item is missing (never recorded) or claimed; only the former lands here.
    if (!existing) throw new Error(`finding ${findingId} is not recorded; record it before claiming an investigation`);
    return { claimed: false, existing };
  }

  async takeOverClaim(findingId: string, previous: InvestigationClaim, claimedAt: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { findingId },
          UpdateExpression: 'SET investigationClaimedAt = :at',
          ConditionExpression: 'investigationId = :id AND investigationStatus = :starting AND investigationClaimedAt = :previous',
          ExpressionAttributeValues: { ':at': claimedAt, ':id': previous.investigationId, ':starting': 'STARTING', ':previous': previous.claimedAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markInvestigationStarted(findingId: string, investigationId: string, startedAt: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { findingId },
        UpdateExpression: 'SET investigationStatus = :started, investigationStartedAt = :at',
        ConditionExpression: 'investigationId = :id',
        ExpressionAttributeValues: { ':started': 'STARTED', ':at': startedAt, ':id': investigationId },
      }),
    );
  }

  async releaseClaim(findingId: string, investigationId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { findingId },
          UpdateExpression: 'REMOVE investigationId, investigationStatus, investigationClaimedAt, investigationRequest',
          ConditionExpression: 'investigationId = :id AND investigationStatus = :starting',
          ExpressionAttributeValues: { ':id': investigationId, ':starting': 'STARTING' },
        }),
      );
    } catch (error) {
      // Already released, or replaced: nothing of ours to drop.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Findings naming the IAM user or role (any ARN form) whose activity overlaps from..to. */
  findingsForEntity(entityArn: string, from: string, to: string): Promise<GuardDutyFindingSummary[]> {
    return this.queries.findingsForEntity(entityArn, from, to);
  }

  /** Findings with any of these remote IPs whose activity overlaps from..to. */
  findingsSharingIps(ips: Iterable<string>, from: string, to: string): Promise<GuardDutyFindingSummary[]> {
    return this.queries.findingsSharingIps(ips, from, to);
  }

  /** Findings about any of these access keys (session ids, IAM user keys) whose activity overlaps from..to. */
  findingsSharingAccessKeys(accessKeyIds: Iterable<string>, from: string, to: string): Promise<GuardDutyFindingSummary[]> {
    return this.queries.findingsSharingAccessKeys(accessKeyIds, from, to);
  }

  /** Everything the RELATED_FINDING stage needs in one call: the union of the three queries, each finding once. */
  relatedFindingCandidates(query: RelatedFindingQuery): Promise<GuardDutyFindingSummary[]> {
    return this.queries.relatedFindingCandidates(query);
  }

  /** The RelatedFindings stage's `FindingSource` shape (lambdas/investigation-stages/stage-context.ts). */
  findingsFor(entityArn: string, from: string, to: string, scopeIps: readonly string[] = [], accessKeyIds: readonly string[] = []): Promise<GuardDutyFindingSummary[]> {
    return this.queries.relatedFindingCandidates({ entityArn, scopeStart: from, scopeEnd: to, ips: scopeIps, accessKeyIds });
  }
}
