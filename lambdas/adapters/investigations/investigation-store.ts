import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keyIndicators, indicatorTypePrefix, type IndicatorKey } from '../../core/investigation/indicators';
import { listingAttributes, planListing, startKeyOf, type ListCursor, type ListingAttribute, type ListingPlan, type PartitionQuery } from '../../core/investigation/listing';
import type { Indicator, Investigation, Severity, State } from '../../core/investigation/model';
import {
  InvestigationExistsError,
  InvestigationNotFoundError,
  type InvestigationRepository,
  type ListIndicatorsQuery,
  type ListInvestigationsQuery,
  type ListPosition,
  type Page,
  type TokenKeySource,
} from '../../core/investigation/ports';
import { TOKEN_KEY_BYTES } from '../../core/investigation/pagination';
import { dynamoDocumentClient } from '../aws-clients';
import { batchPut } from '../batch-writer';
import { retentionDays, tableName } from '../../shared/config';
import { INDICATORS_TABLE, INVESTIGATIONS_TABLE } from '../../shared/table-design';
import { expiresAt, fromIndicatorItem, fromInvestigationItem, toInvestigationItem, type IndicatorItem } from './items';

/**
 * Investigations and their indicators in DynamoDB: what the API reads and writes, and what the state
 * machine's last stage calls to record its results (putIndicators, completeInvestigation, failInvestigation).
 * Listing never scans: investigations are read through the listing indexes (core/investigation/listing.ts),
 * indicators by key.
 */
export interface InvestigationTables {
  investigations: string;
  indicators: string;
}

const MAX_FAILURE_REASON = 2000;
/** Concurrent writers of one investigation are rare (the API and the state machine); a few retries suffice. */
const UPDATE_ATTEMPTS = 5;
/** Attributes the listing index keys are derived from: an update is conditional on them being unchanged. */
const KEY_SOURCES: readonly ListingAttribute[] = ['severity', 'status', 'state'];

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException';
}

/**
 * The item holding the NextToken signing key. Its id cannot be an investigation's (those are 21 digits, and
 * requests are validated), it has none of the index attributes (so no listing sees it) and no expiry.
 */
export const TOKEN_KEY_ITEM_ID = 'config#next-token-key';

export class InvestigationStore implements InvestigationRepository, TokenKeySource {
  private tokenKeyPromise?: Promise<Uint8Array>;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: InvestigationTables,
    private readonly options: { retentionDays: number; now?: () => number } = { retentionDays: 365 },
  ) {}

  /** The store of a deployment: table names and retention from the Lambda environment. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, client: DynamoDBDocumentClient = dynamoDocumentClient()): InvestigationStore {
    return new InvestigationStore(client, { investigations: tableName(INVESTIGATIONS_TABLE, env), indicators: tableName(INDICATORS_TABLE, env) }, { retentionDays: retentionDays(env) });
  }

  private now(): string {
    return new Date(this.options.now?.() ?? Date.now()).toISOString();
  }

  /**
   * The deployment's NextToken key: read once per instance; the first instance ever to need it draws it
   * (a conditional put, so concurrent first requests agree on one key). Deleting the item rotates the key,
   * which only invalidates tokens in flight.
   */
  tokenKey(): Promise<Uint8Array> {
    this.tokenKeyPromise ??= this.loadTokenKey().catch((error: unknown) => {
      this.tokenKeyPromise = undefined;
      throw error;
    });
    return this.tokenKeyPromise;
  }

  private async loadTokenKey(): Promise<Uint8Array> {
    const read = async () => {
      const output = await this.client.send(new GetCommand({ TableName: this.tables.investigations, Key: { investigationId: TOKEN_KEY_ITEM_ID }, ConsistentRead: true }));
      const key = output.Item?.key;
      return typeof key === 'string' && key.length > 0 ? Buffer.from(key, 'base64') : undefined;
    };
    const existing = await read();
    if (existing) return existing;
    const drawn = randomBytes(TOKEN_KEY_BYTES);
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tables.investigations, Item: { investigationId: TOKEN_KEY_ITEM_ID, key: drawn.toString('base64') }, ConditionExpression: 'attribute_not_exists(investigationId)' }),
      );
      return drawn;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Another instance drew one first: use theirs.
      const theirs = await read();
      if (!theirs) throw error;
      return theirs;
    }
  }

  async createInvestigation(investigation: Investigation): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.investigations,
          Item: toInvestigationItem(investigation, this.options.retentionDays),
          ConditionExpression: 'attribute_not_exists(investigationId)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new InvestigationExistsError(investigation.investigationId);
      throw error;
    }
  }

  async getInvestigation(investigationId: string): Promise<Investigation | undefined> {
    // Strongly consistent: a caller polling right after the state machine finished must see its result.
    const output = await this.client.send(new GetCommand({ TableName: this.tables.investigations, Key: { investigationId }, ConsistentRead: true }));
    return output.Item ? fromInvestigationItem(output.Item) : undefined;
  }

  /**
   * Sets attributes of an existing investigation, failing with InvestigationNotFoundError for an unknown id.
   * The listing index keys combine attributes (e.g. `stateStatus`), so an update reads the item, derives the
   * keys from the merged values and writes conditionally on the attributes it derived from; a concurrent
   * change of those makes it read again.
   */
  private async update(investigationId: string, set: Partial<Record<'status' | 'severity' | 'state' | 'failureReason', string>>): Promise<Investigation> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.getInvestigation(investigationId);
      if (!current) throw new InvestigationNotFoundError(investigationId);
      const merged = { ...current, ...set } as Investigation;
      const entries = Object.entries({ ...set, ...listingAttributes(merged), updatedTime: this.now() });
      const guards = KEY_SOURCES.map((name) => [name, current[name]] as const);
      try {
        const output = await this.client.send(
          new UpdateCommand({
            TableName: this.tables.investigations,
            Key: { investigationId },
            ConditionExpression: ['attribute_exists(investigationId)', ...guards.map(([name]) => `#${name} = :was_${name}`)].join(' AND '),
            UpdateExpression: `SET ${entries.map(([name]) => `#${name} = :${name}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries([...entries, ...guards].map(([name]) => [`#${name}`, name])),
            ExpressionAttributeValues: { ...Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])), ...Object.fromEntries(guards.map(([name, value]) => [`:was_${name}`, value])) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return fromInvestigationItem(output.Attributes ?? {});
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= UPDATE_ATTEMPTS) throw error;
      }
    }
  }

  updateState(investigationId: string, state: State): Promise<Investigation> {
    return this.update(investigationId, { state });
  }

  async completeInvestigation(investigationId: string, severity: Severity): Promise<void> {
    await this.update(investigationId, { status: 'SUCCESSFUL', severity });
  }

  async failInvestigation(investigationId: string, reason: string): Promise<void> {
    await this.update(investigationId, { status: 'FAILED', failureReason: reason.slice(0, MAX_FAILURE_REASON) });
  }

  /**
   * Writes the indicators of an investigation with BatchWriteItem. Keys are positions within each type
   * (see core/investigation/indicators.ts), so a retried stage overwrites rather than duplicates.
   */
  async putIndicators(investigationId: string, indicators: readonly Indicator[]): Promise<void> {
    const expiry = expiresAt(this.options.now?.() ?? Date.now(), this.options.retentionDays);
    const items: IndicatorItem[] = keyIndicators(indicators).map(({ sk, indicator }) => ({
      investigationId,
      sk,
      indicatorType: indicator.IndicatorType,
      indicatorDetail: indicator.IndicatorDetail,
      expiresAt: expiry,
    }));
    await batchPut(this.client, this.tables.indicators, items as unknown as Record<string, unknown>[]);
  }

  /** One page of indicators; reads one item more than asked to know, without a second request, whether more follow. */
  async listIndicators(investigationId: string, query: ListIndicatorsQuery): Promise<Page<Indicator, IndicatorKey>> {
    const prefix = indicatorTypePrefix(query.indicatorType);
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tables.indicators,
        KeyConditionExpression: prefix ? 'investigationId = :id AND begins_with(sk, :prefix)' : 'investigationId = :id',
        ExpressionAttributeValues: { ':id': investigationId, ...(prefix ? { ':prefix': prefix } : {}) },
        Limit: query.maxResults + 1,
        ExclusiveStartKey: query.after,
      }),
    );
    const items = output.Items ?? [];
    if (items.length > query.maxResults) {
      const page = items.slice(0, query.maxResults);
      const last = page[page.length - 1] as IndicatorItem;
      return { items: page.map(fromIndicatorItem), next: { investigationId: last.investigationId, sk: last.sk } };
    }
    // Fewer than asked: either the end, or DynamoDB's 1 MB page limit (then resume where it stopped).
    return { items: items.map(fromIndicatorItem), next: output.LastEvaluatedKey as IndicatorKey | undefined };
  }

  /**
   * One page, reading the plan's partitions in order from the cursor's. Each Query asks for one item more than
   * the page still needs (to know whether a next page exists without another request); DynamoDB applies Limit
   * before a FilterExpression, so a plan with residual filters may take several Queries per page.
   */
  async listInvestigations(query: ListInvestigationsQuery): Promise<Page<Investigation, ListPosition>> {
    const plan = planListing(query.filter, query.sort);
    const matches: { investigation: Investigation; partition: number }[] = [];
    const first = query.after?.p ?? 0;
    for (let p = first; p < plan.partitions.length && matches.length <= query.maxResults; p++) {
      let start: Record<string, unknown> | undefined = p === first && query.after ? startKeyOf(plan.partitions[p], query.after) : undefined;
      do {
        const output = await this.client.send(new QueryCommand({ ...this.partitionQuery(plan, plan.partitions[p]), Limit: query.maxResults + 1 - matches.length, ExclusiveStartKey: start }));
        for (const item of output.Items ?? []) matches.push({ investigation: fromInvestigationItem(item), partition: p });
        start = output.LastEvaluatedKey;
      } while (start && matches.length <= query.maxResults);
    }
    if (matches.length <= query.maxResults) return { items: matches.map((m) => m.investigation) };
    const page = matches.slice(0, query.maxResults);
    const last = page[page.length - 1];
    const next: ListCursor = { p: last.partition, c: last.investigation.createdTime, i: last.investigation.investigationId };
    return { items: page.map((m) => m.investigation), next };
  }

  private partitionQuery(plan: ListingPlan, partition: PartitionQuery): QueryCommandInput {
    const names: Record<string, string> = { '#pk': partition.attribute };
    const values: Record<string, string> = { ':pk': partition.value };
    let keyCondition = '#pk = :pk';
    if (plan.createdTime) {
      keyCondition += ' AND createdTime BETWEEN :createdFrom AND :createdTo';
      Object.assign(values, { ':createdFrom': plan.createdTime.startInclusive, ':createdTo': plan.createdTime.endInclusive });
    }
    // status and state are DynamoDB reserved words: every name goes through a placeholder.
    const residual = Object.entries(plan.residual);
    for (const [name, value] of residual) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
    }
    return {
      TableName: this.tables.investigations,
      IndexName: partition.indexName,
      KeyConditionExpression: keyCondition,
      ...(residual.length > 0 ? { FilterExpression: residual.map(([name]) => `#${name} = :${name}`).join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: plan.forward,
    };
  }
}
