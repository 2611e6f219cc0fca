import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { flowAccountSubject, flowInterfaceSubject, flowPeersSubject, instanceInterfacesSubject, interfaceInstanceSubject, INTERFACE_INSTANCE_SLOT, type FlowInterfaceItem, type FlowManifestItem, type FlowPeersItem } from '../core/flowlogs/flow-items';
import { interfaceVolume, peersOf, topByTraffic, type FlowFilter, type FlowGranularity, type InterfaceVolumeView, type PeerInterface, type TrafficRank } from '../core/flowlogs/flow-views';
import { ACCOUNTS_SUBJECT } from '../core/model/items';
import { baselineDigestSubject, type BaselineDigestItem } from '../core/flowlogs/baseline-digest';
import { HOUR_MS, hoursOverlapping } from '../core/storage/hours';
import { mapWithConcurrency } from '../shared/concurrency';

/**
 * The flow-log questions, answered from the Activity table's flow items with Query and GetItem on keys (never
 * a Scan). What a read costs follows what it asks about: an instance's volume reads its interfaces' hour
 * items; a peer or the top talkers read one item per account and hour of the scope.
 *
 * Flow data is hourly: scopes are widened to whole hours (the answers give the hours they cover), and
 * the finest granularity is HOUR (DAY sums them). MINUTE is not available from flow logs as stored.
 */
export interface FlowItemsPort {
  /** Items of `subject` whose sort key lies in [fromSlot, toSlot] (inclusive), in order. */
  query(subject: string, fromSlot: string, toSlot: string): Promise<Record<string, unknown>[]>;
  get(subject: string, slot: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Puts a baseline digest (baseline-digest.ts) only if the item is still what the reader saw: absent
   * (`expectedStale` undefined) or the stale marker `expectedStale`. False when it changed meanwhile. Absent
   * on read-only ports: digests are then read, never written.
   */
  putIfUnchanged?(item: Record<string, unknown>, expectedStale: string | undefined): Promise<boolean>;
}

export class FlowScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowScopeError';
  }
}

export interface FlowScope {
  /** ISO instants, half-open [from, to). */
  from: string;
  to: string;
}

/** Most hours one question reads (a year): a guard against a scope that would read without bound. */
export const MAX_SCOPE_HOURS = 24 * 366;
const CONCURRENT_READS = 16;

export class FlowQueries {
  constructor(private readonly port: FlowItemsPort) {}

  /** Inbound and outbound volume of an EC2 instance's interfaces, per hour or day, with drill-down breakdowns. */
  async instanceVolume(instanceId: string, scope: FlowScope & { granularity?: FlowGranularity; filter?: FlowFilter }): Promise<InterfaceVolumeView & { instanceId: string }> {
    const interfaces = await this.interfacesOf(instanceId);
    const view = await this.volumeOf(interfaces, scope);
    return { instanceId, ...view };
  }

  /** The same for one network interface. */
  async interfaceVolume(interfaceId: string, scope: FlowScope & { granularity?: FlowGranularity; filter?: FlowFilter }): Promise<InterfaceVolumeView> {
    return this.volumeOf([interfaceId], scope);
  }

  /** The interfaces of an instance: those its flow records or CloudTrail events named, and its records without interface-id. */
  async interfacesOf(instanceId: string): Promise<string[]> {
    const mapped = await this.port.query(instanceInterfacesSubject(instanceId), '', '\uffff');
    return [...new Set([...mapped.map((item) => item.slot as string), `instance:${instanceId}`])].sort();
  }

  /** The instances and interfaces that talked to an address or CIDR block, with bytes, ports and first and last seen. */
  async peers(query: string, scope: FlowScope, accounts?: readonly string[]): Promise<{ from: string; to: string; interfaces: PeerInterface[]; truncatedPeers: number }> {
    const hours = scopeHours(scope);
    const items = (await mapWithConcurrency(accounts ?? (await this.accounts()), CONCURRENT_READS, (accountId) => this.port.query(flowPeersSubject(accountId), hours.first, `${hours.last}#~`))).flat() as unknown as FlowPeersItem[];
    const result = peersOf(items, query);
    await this.fillInstances(result.interfaces);
    return { from: hours.from, to: hours.to, ...result };
  }

  /** The raw peer-index items of the scope's whole hours, one Query per account (searchEntities folds them itself). */
  async peerItems(scope: FlowScope, accounts?: readonly string[]): Promise<FlowPeersItem[]> {
    const hours = scopeHours(scope);
    return (await mapWithConcurrency(accounts ?? (await this.accounts()), CONCURRENT_READS, (accountId) => this.port.query(flowPeersSubject(accountId), hours.first, `${hours.last}#~`))).flat() as unknown as FlowPeersItem[];
  }

  /** The instances (or interfaces with no known instance) with the most traffic in the scope. */
  async topInstances(scope: FlowScope, limit = 10, accounts?: readonly string[]): Promise<{ from: string; to: string; ranks: TrafficRank[]; truncatedInterfaces: number }> {
    const hours = scopeHours(scope);
    const manifests = (await mapWithConcurrency(accounts ?? (await this.accounts()), CONCURRENT_READS, (accountId) => this.port.query(flowAccountSubject(accountId), hours.first, `${hours.last}#~`))).flat() as unknown as FlowManifestItem[];
    // Interfaces whose records did not name their instance: ask the mapping of the candidates only.
    const first = topByTraffic(manifests, Math.max(limit * 4, limit));
    const unknown = [...new Set(first.ranks.filter((rank) => !rank.instanceId).flatMap((rank) => rank.interfaceIds))];
    const instanceOf = new Map<string, string>();
    await mapWithConcurrency(unknown, CONCURRENT_READS, async (interfaceId) => {
      const item = await this.port.get(interfaceInstanceSubject(interfaceId), INTERFACE_INSTANCE_SLOT);
      if (typeof item?.instanceId === 'string') instanceOf.set(interfaceId, item.instanceId);
    });
    return { from: hours.from, to: hours.to, ...topByTraffic(manifests, limit, instanceOf) };
  }

  /** The raw interface-hour items of interfaces over a scope's whole hours (the graph route folds them itself). */
  async interfaceItems(interfaceIds: readonly string[], scope: FlowScope): Promise<{ from: string; to: string; items: FlowInterfaceItem[] }> {
    const hours = scopeHours(scope);
    const items = (await mapWithConcurrency(interfaceIds, CONCURRENT_READS, (interfaceId) => this.port.query(flowInterfaceSubject(interfaceId), hours.first, `${hours.last}#~`))).flat() as unknown as FlowInterfaceItem[];
    return { from: hours.from, to: hours.to, items };
  }

  /** An interface's baseline digests of the days [firstDay, lastDay] (`YYYY-MM-DD`), stale markers included. */
  async digestItems(interfaceId: string, firstDay: string, lastDay: string): Promise<Record<string, unknown>[]> {
    return this.port.query(baselineDigestSubject(interfaceId), firstDay, lastDay);
  }

  /** Stores a digest unless the item changed since it was read; false when it did, or the port is read-only. */
  async putDigest(item: BaselineDigestItem, expectedStale: string | undefined): Promise<boolean> {
    return this.port.putIfUnchanged ? this.port.putIfUnchanged(item as unknown as Record<string, unknown>, expectedStale) : false;
  }

  private async volumeOf(interfaceIds: readonly string[], scope: FlowScope & { granularity?: FlowGranularity; filter?: FlowFilter }): Promise<InterfaceVolumeView> {
    const granularity = scope.granularity ?? 'HOUR';
    if (granularity !== 'HOUR' && granularity !== 'DAY') throw new FlowScopeError('flow volume granularity is HOUR or DAY (flow logs are stored per hour)');
    const hours = scopeHours(scope);
    const items = (await mapWithConcurrency(interfaceIds, CONCURRENT_READS, (interfaceId) => this.port.query(flowInterfaceSubject(interfaceId), hours.first, `${hours.last}#~`))).flat() as unknown as FlowInterfaceItem[];
    return interfaceVolume(items, { from: hours.from, to: hours.to, granularity, ...(scope.filter ? { filter: scope.filter } : {}) });
  }

  private async accounts(): Promise<string[]> {
    return (await this.port.query(ACCOUNTS_SUBJECT, '', '\uffff')).map((item) => item.slot as string);
  }

  private async fillInstances(interfaces: PeerInterface[]): Promise<void> {
    await mapWithConcurrency(
      interfaces.filter((view) => !view.instanceId),
      CONCURRENT_READS,
      async (view) => {
        if (view.interfaceId.startsWith('instance:')) {
          view.instanceId = view.interfaceId.slice('instance:'.length);
          return;
        }
        const item = await this.port.get(interfaceInstanceSubject(view.interfaceId), INTERFACE_INSTANCE_SLOT);
        if (typeof item?.instanceId === 'string') view.instanceId = item.instanceId;
      },
    );
  }
}

/** The whole hours a scope overlaps, as slot bounds and as the instants they cover. */
export function scopeHours(scope: FlowScope): { first: string; last: string; from: string; to: string } {
  const fromMs = Date.parse(scope.from);
  const toMs = Date.parse(scope.to);
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw new FlowScopeError('from and to must be ISO-8601 instants');
  if (toMs <= fromMs) throw new FlowScopeError('to must be after from');
  if ((toMs - fromMs) / HOUR_MS > MAX_SCOPE_HOURS) throw new FlowScopeError(`scope longer than ${MAX_SCOPE_HOURS} hours`);
  const hours = hoursOverlapping(fromMs, toMs);
  const first = hours[0];
  const last = hours[hours.length - 1];
  return { first, last, from: `${first}:00:00.000Z`, to: new Date(Date.parse(`${last}:00:00Z`) + HOUR_MS).toISOString() };
}

/** The port over DynamoDB (the Activity table). */
export function dynamoFlowItems(client: DynamoDBDocumentClient, table: string): FlowItemsPort {
  return {
    async query(subject, fromSlot, toSlot) {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const output = await client.send(
          new QueryCommand({ TableName: table, KeyConditionExpression: 'subject = :s AND slot BETWEEN :a AND :b', ExpressionAttributeValues: { ':s': subject, ':a': fromSlot, ':b': toSlot }, ExclusiveStartKey }),
        );
        items.push(...((output.Items ?? []) as Record<string, unknown>[]));
        ExclusiveStartKey = output.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      // The document client returns binary attributes as Uint8Array already; nothing to convert.
      return items;
    },
    async get(subject, slot) {
      return (await client.send(new GetCommand({ TableName: table, Key: { subject, slot } }))).Item as Record<string, unknown> | undefined;
    },
    async putIfUnchanged(item, expectedStale) {
      const condition =
        expectedStale === undefined
          ? { ConditionExpression: 'attribute_not_exists(subject)' }
          : { ConditionExpression: '#stale = :stale', ExpressionAttributeNames: { '#stale': 'stale' }, ExpressionAttributeValues: { ':stale': expectedStale } };
      try {
        await client.send(new PutCommand({ TableName: table, Item: item, ...condition }));
        return true;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
