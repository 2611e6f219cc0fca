import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseIp } from '../../core/analysis/geo';
import { normalizeEntityArn, type GuardDutyFindingSummary } from '../../core/analysis/related-findings';
import { toFindingSummary } from '../../core/guardduty/recorded-finding';
import { formatTimestamp, parseTimestamp } from '../../core/investigation/time';
import { FINDINGS_TABLE } from '../../shared/table-design';
import { accessKeyLookupKey, fromFindingItem, ipLookupKey, type RefItem } from './items';

/**
 * Read side of the Findings table, for the RELATED_FINDING stage: findings whose activity overlaps a scope
 * and that name an entity, or share a remote IP or an access key with it. Every read goes through the
 * `byEntity` index (no Scan): its sort key `updatedAt` bounds the range from below, because a finding is
 * always updated after its last activity (updatedAt >= eventLastSeen >= scope start); the upper bound is
 * a filter on the activity start, since a finding updated after the scope may still overlap it.
 */
export interface RelatedFindingQuery {
  entityArn: string;
  scopeStart: string;
  scopeEnd: string;
  ips?: Iterable<string>;
  accessKeyIds?: Iterable<string>;
}

const BY_ENTITY = FINDINGS_TABLE.globalSecondaryIndexes[0].indexName;
/** BatchGetItem's limit per request. */
const MAX_BATCH_GET = 100;
const LOOKUP_CONCURRENCY = 8;
const BATCH_GET_ATTEMPTS = 8;

function isoBound(value: string, name: string): string {
  const millis = parseTimestamp(value);
  if (millis === undefined) throw new Error(`${name} is not an RFC 3339 timestamp: ${value}`);
  // The stored format (UTC, milliseconds), so that string comparison in DynamoDB is time comparison.
  return formatTimestamp(millis);
}

/** A finding item as the related-finding analysis reads it, with the investigation the trigger started on it. */
function summaryOfItem(item: Record<string, unknown>): GuardDutyFindingSummary {
  const investigationId = item.investigationId;
  return { ...toFindingSummary(fromFindingItem(item)), ...(typeof investigationId === 'string' ? { investigationId } : {}) };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FindingQueries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** All items of one byEntity partition updated at or after `from` whose activity started by `to`. */
  private async queryKey(key: string, from: string, to: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: BY_ENTITY,
          KeyConditionExpression: 'entityArn = :key AND updatedAt >= :from',
          FilterExpression: 'activityStart <= :to',
          ExpressionAttributeValues: { ':key': key, ':from': isoBound(from, 'from'), ':to': isoBound(to, 'to') },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(output.Items ?? []));
      start = output.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async findingsForEntity(entityArn: string, from: string, to: string): Promise<GuardDutyFindingSummary[]> {
    // Findings store path-less user and role ARNs; callers may pass a path or an assumed-role ARN.
    const items = await this.queryKey(normalizeEntityArn(entityArn), from, to);
    return items.filter((item) => item.kind === 'FINDING').map(summaryOfItem);
  }

  findingsSharingIps(ips: Iterable<string>, from: string, to: string): Promise<GuardDutyFindingSummary[]> {
    const keys = [...ips].map((ip) => parseIp(ip)?.toString()).filter((ip): ip is string => ip !== undefined);
    return this.findingsByLookupKeys(keys.map(ipLookupKey), from, to);
  }

  findingsSharingAccessKeys(accessKeyIds: Iterable<string>, from: string, to: string): Promise<GuardDutyFindingSummary[]> {
    return this.findingsByLookupKeys([...accessKeyIds].map(accessKeyLookupKey), from, to);
  }

  async relatedFindingCandidates(query: RelatedFindingQuery): Promise<GuardDutyFindingSummary[]> {
    const [byEntity, byIp, byKey] = await Promise.all([
      this.findingsForEntity(query.entityArn, query.scopeStart, query.scopeEnd),
      this.findingsSharingIps(query.ips ?? [], query.scopeStart, query.scopeEnd),
      this.findingsSharingAccessKeys(query.accessKeyIds ?? [], query.scopeStart, query.scopeEnd),
    ]);
    const byId = new Map<string, GuardDutyFindingSummary>();
    for (const summary of [...byEntity, ...byIp, ...byKey]) byId.set(summary.id, summary);
    return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  private async findingsByLookupKeys(keys: string[], from: string, to: string): Promise<GuardDutyFindingSummary[]> {
    const unique = [...new Set(keys)];
    const ids = new Set<string>();
    for (let i = 0; i < unique.length; i += LOOKUP_CONCURRENCY) {
      const pages = await Promise.all(unique.slice(i, i + LOOKUP_CONCURRENCY).map((key) => this.queryKey(key, from, to)));
      for (const item of pages.flat()) if (item.kind === 'REF') ids.add((item as unknown as RefItem).refFindingId);
    }
    const findings = await this.getFindings([...ids].sort());
    return findings.map(summaryOfItem);
  }

  /** BatchGetItem in chunks, retrying what DynamoDB leaves unprocessed under throttling. */
  private async getFindings(findingIds: string[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    for (let i = 0; i < findingIds.length; i += MAX_BATCH_GET) {
      let keys: Record<string, unknown>[] = findingIds.slice(i, i + MAX_BATCH_GET).map((findingId) => ({ findingId }));
      for (let attempt = 1; keys.length > 0; attempt++) {
        if (attempt > BATCH_GET_ATTEMPTS) throw new Error(`${keys.length} finding(s) still unprocessed after ${BATCH_GET_ATTEMPTS} BatchGetItem attempts`);
        if (attempt > 1) await sleep(Math.min(2000, 50 * 2 ** attempt) * Math.random());
        const output = await this.client.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }));
        found.push(...(output.Responses?.[this.table] ?? []).filter((item) => item.kind === 'FINDING'));
        keys = output.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }
    return found.sort((a, b) => String(a.findingId).localeCompare(String(b.findingId)));
  }
}
