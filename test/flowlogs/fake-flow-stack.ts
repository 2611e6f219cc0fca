import type { FlowCompactionDependencies } from '../../lambdas/compact-hour/compact-flow-hour';
import type { IngestDependencies } from '../../lambdas/ingest-cloudtrail/ingest-object';
import type { OpenFlowObject } from '../../lambdas/ingest-cloudtrail/ingest-flow-object';
import type { CompactionRequest } from '../../lambdas/adapters/compaction-queue';
import { ObjectGoneError } from '../../lambdas/adapters/s3-objects';
import { PENDING_MARK, type HourObjectItem, type IngestedObjectItem } from '../../lambdas/core/model/items';
import type { FlowManifestItem } from '../../lambdas/core/flowlogs/flow-items';
import type { AsyncBuffer } from 'hyparquet';
import type { FlowItemsPort } from '../../lambdas/queries/flow-queries';

/** In-memory S3, HourObjects, IngestedObjects and Activity for the flow-log pipeline: no servers, exact write counts. */
export class FakeFlowStack {
  readonly objects = new Map<string, Buffer>();
  readonly ingested = new Map<string, IngestedObjectItem>();
  readonly hourObjects = new Map<string, Map<string, HourObjectItem | { pendingSince: string; pendingBy?: string }>>();
  readonly requests: CompactionRequest[] = [];
  readonly activity = new Map<string, Record<string, unknown>>();
  activityWrites = 0;
  /** Queries of an instance's stored ENI mappings by the compaction. */
  mappingQueries = 0;
  /** Throws once after this many Activity writes (a crash halfway through a compaction). */
  crashAfterWrites: number | undefined;

  constructor(private readonly now: () => Date) {}

  private readonly etags = new Map<string, string>();

  /** Stores an object; its ETag is the one its notification carries (`e-<key>` unless given). */
  put(key: string, body: Buffer, etag = `e-${key}`): void {
    this.objects.set(key, body);
    this.etags.set(key, etag);
  }

  private readonly openFlow: OpenFlowObject = async (_bucket, key, format) => {
    const body = this.objects.get(key);
    if (!body) throw new ObjectGoneError('bucket', key);
    const etag = this.etags.get(key) as string;
    if (format === 'parquet') {
      const file: AsyncBuffer = { byteLength: body.length, slice: (start, end) => body.buffer.slice(body.byteOffset + start, body.byteOffset + (end ?? body.length)) as ArrayBuffer };
      return { format, file, etag, size: body.length };
    }
    return {
      format,
      body: (async function* () {
        for (let offset = 0; offset < body.length; offset += 64 * 1024) yield body.subarray(offset, offset + 64 * 1024);
      })(),
      etag,
      size: body.length,
    };
  };

  ingestDeps(): IngestDependencies {
    return {
      openObject: async () => {
        throw new Error('CloudTrail objects are not part of this fake');
      },
      openFlowObject: this.openFlow,
      getIngested: async (objectKey) => this.ingested.get(objectKey),
      putIngested: async (item) => void this.ingested.set(item.objectKey, item),
      registerHours: async (items) => {
        for (const item of items) {
          const hour = this.hourObjects.get(item.hourKey) ?? new Map();
          hour.set(item.objectId, item);
          this.hourObjects.set(item.hourKey, hour);
        }
      },
      markCompactionPending: async (hourKey, at, objectKey) => {
        const hour = this.hourObjects.get(hourKey) ?? new Map();
        this.hourObjects.set(hourKey, hour);
        const current = hour.get(PENDING_MARK) as { pendingSince: string; pendingBy?: string } | undefined;
        if (current) return current;
        hour.set(PENDING_MARK, { pendingSince: at, pendingBy: objectKey });
        return undefined;
      },
      requestCompaction: async (requests) => void this.requests.push(...requests),
      retentionDays: 36500,
      settleMs: 20 * 60_000,
      now: this.now,
    };
  }

  compactionDeps(): FlowCompactionDependencies {
    return {
      listHourObjects: async (hourKey) => [...(this.hourObjects.get(hourKey)?.entries() ?? [])].filter(([id]) => id !== PENDING_MARK).map(([, item]) => item as HourObjectItem),
      clearCompactionPending: async (hourKey) => void this.hourObjects.get(hourKey)?.delete(PENDING_MARK),
      getFlowManifest: async (accountId, hour) => this.activity.get(`flow-account#${accountId}|${hour}#${accountId}`) as FlowManifestItem | undefined,
      openFlowObject: this.openFlow,
      putItems: async (items) => {
        for (const item of items as Record<string, unknown>[]) {
          if (this.crashAfterWrites !== undefined && this.activityWrites >= this.crashAfterWrites) {
            this.crashAfterWrites = undefined;
            throw new Error('crash');
          }
          this.activityWrites++;
          this.activity.set(`${item.subject as string}|${item.slot as string}`, structuredClone(item));
        }
      },
      deleteItems: async (keys) => {
        for (const key of keys) {
          this.activityWrites++;
          this.activity.delete(`${key.subject}|${key.slot}`);
        }
      },
      getItem: async (subject, slot) => this.activity.get(`${subject}|${slot}`),
      instanceInterfaces: async (instanceId) => {
        this.mappingQueries++;
        return this.query(`instance-enis#${instanceId}`).map((item) => item.slot as string);
      },
      retentionDays: 36500,
      settleMs: 20 * 60_000,
      now: this.now,
    };
  }

  /** The read port over the same items (Query with BETWEEN, GetItem). */
  port(): FlowItemsPort {
    return {
      query: async (subject, fromSlot, toSlot) => this.query(subject, fromSlot, `${toSlot}\u0000`),
      get: async (subject, slot) => this.activity.get(`${subject}|${slot}`),
    };
  }

  /** Digest puts that passed their condition (a writable port's). */
  digestWrites = 0;

  /** The read port with conditional puts, as the API and the ApiActivity stage have (DynamoDB semantics). */
  writablePort(): FlowItemsPort {
    return {
      ...this.port(),
      putIfUnchanged: async (item, expectedStale) => {
        const key = `${item.subject as string}|${item.slot as string}`;
        const current = this.activity.get(key);
        if (expectedStale === undefined ? current !== undefined : current?.stale !== expectedStale) return false;
        this.digestWrites++;
        this.activity.set(key, structuredClone(item));
        return true;
      },
    };
  }

  /** The Activity items whose subject starts with `prefix`, as a Query would return them. */
  query(subject: string, fromSlot = '', toSlot = '\uffff'): Record<string, unknown>[] {
    return [...this.activity.entries()]
      .filter(([key]) => {
        const [s, slot] = key.split('|');
        return s === subject && slot >= fromSlot && slot < toSlot;
      })
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, item]) => item);
  }
}
