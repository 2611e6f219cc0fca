import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keyIndicators, indicatorTypePrefix, type IndicatorKey } from '../../core/investigation/indicators';
import { filterExpression, indexKeyOf, cursorOf, pageAfter, sortInvestigations, LIST_KEY, type IndexKey, type SortCursor } from '../../core/investigation/listing';
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
 * Listing never scans: investigations are read through the `byCreatedTime` index, indicators by key.
 */
export interface InvestigationTables {
  investigations: string;
  indicators: string;
}

const BY_CREATED_TIME = INVESTIGATIONS_TABLE.globalSecondaryIndexes[0].indexName;
const MAX_FAILURE_REASON = 2000;

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

  /** Sets attributes of an existing investigation, failing with InvestigationNotFoundError for an unknown id. */
  private async update(investigationId: string, set: Record<string, string>): Promise<Investigation> {
    const entries = Object.entries({ ...set, updatedTime: this.now() });
    try {
      const output = await this.client.send(
        new UpdateCommand({
          TableName: this.tables.investigations,
          Key: { investigationId },
          ConditionExpression: 'attribute_exists(investigationId)',
          UpdateExpression: `SET ${entries.map(([name]) => `#${name} = :${name}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(entries.map(([name]) => [`#${name}`, name])),
          ExpressionAttributeValues: Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromInvestigationItem(output.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) throw new InvestigationNotFoundError(investigationId);
      throw error;
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

  private indexQuery(query: ListInvestigationsQuery): QueryCommandInput {
    const { keyCondition, filter } = filterExpression(query.filter);
    return {
      TableName: this.tables.investigations,
      IndexName: BY_CREATED_TIME,
      KeyConditionExpression: `listKey = :listKey${keyCondition ? ` AND ${keyCondition.expression}` : ''}`,
      FilterExpression: filter?.expression,
      ExpressionAttributeNames: filter?.names,
      ExpressionAttributeValues: { ':listKey': LIST_KEY, ...keyCondition?.values, ...filter?.values },
      ScanIndexForward: query.sort.field === 'CREATED_TIME' ? query.sort.order === 'ASC' : false,
    };
  }

  async listInvestigations(query: ListInvestigationsQuery): Promise<Page<Investigation, ListPosition>> {
    return query.sort.field === 'CREATED_TIME' ? this.listByCreatedTime(query) : this.listSorted(query);
  }

  /**
   * Pages through the index in its own order. DynamoDB applies Limit before the filter, so a page may take
   * several requests; one extra match is read to tell whether a next page exists.
   */
  private async listByCreatedTime(query: ListInvestigationsQuery): Promise<Page<Investigation, ListPosition>> {
    const base = this.indexQuery(query);
    const matches: Investigation[] = [];
    let start = query.after as IndexKey | undefined;
    do {
      const output = await this.client.send(new QueryCommand({ ...base, Limit: query.maxResults + 1 - matches.length, ExclusiveStartKey: start }));
      matches.push(...(output.Items ?? []).map(fromInvestigationItem));
      start = output.LastEvaluatedKey as IndexKey | undefined;
    } while (start && matches.length <= query.maxResults);
    if (matches.length <= query.maxResults) return { items: matches };
    const page = matches.slice(0, query.maxResults);
    return { items: page, next: indexKeyOf(page[page.length - 1]) };
  }

  /** SEVERITY and STATUS orders have no index: read the (filtered) index partition, sort, and cut after the cursor. */
  private async listSorted(query: ListInvestigationsQuery): Promise<Page<Investigation, ListPosition>> {
    const base = this.indexQuery(query);
    const matches: Investigation[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.client.send(new QueryCommand({ ...base, ExclusiveStartKey: start }));
      matches.push(...(output.Items ?? []).map(fromInvestigationItem));
      start = output.LastEvaluatedKey;
    } while (start);
    const { page, last } = pageAfter(sortInvestigations(matches, query.sort), query.sort, query.maxResults, query.after as SortCursor | undefined);
    return { items: page, next: last ? cursorOf(last, query.sort) : undefined };
  }
}
