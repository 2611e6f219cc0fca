import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { decodeEvent, encodeEvent, type CompactEvent, type EncodedEvent } from '../core/storage/compact-event';
import type { EventsRef } from '../core/model/items';

/**
 * The compact events of compacted hours, in the index bucket: one object per account-hour and compaction
 * generation, `events/<account>/<hour>/<generation>.json.gz`. The object is a series of gzip members (a valid
 * gzip stream as a whole): first a header (the hour's log objects, for evidence), then one member per subject.
 * Each subject's item names its member's byte range, so a reader fetches exactly one principal's events of
 * one hour with a ranged GET: reads cost what the entity did, not what the account did.
 */
export interface HourEventsHeader {
  v: 1;
  accountId: string;
  hour: string;
  /** Log objects by index (`CompactEvent.o`): where each event's raw record is. */
  objects: { objectKey: string; etag?: string }[];
  subjects: string[];
}

export interface SubjectEvents {
  subject: string;
  events: readonly CompactEvent[];
}

export function eventsObjectKey(accountId: string, hour: string, generation: string): string {
  return `events/${accountId}/${hour}/${generation}.json.gz`;
}

export class EventsStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /** Writes an hour's events; returns the byte range of the header (under `''`) and of each subject. */
  async write(header: HourEventsHeader, segments: readonly SubjectEvents[], generation: string): Promise<Map<string, EventsRef>> {
    const parts: Buffer[] = [];
    const refs = new Map<string, EventsRef>();
    let offset = 0;
    const add = (name: string, value: unknown) => {
      const member = gzipSync(JSON.stringify(value));
      refs.set(name, { generation, offset, length: member.length });
      parts.push(member);
      offset += member.length;
    };
    add('', header);
    for (const segment of segments) add(segment.subject, segment.events.map(encodeEvent));
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: eventsObjectKey(header.accountId, header.hour, generation), Body: Buffer.concat(parts), ContentType: 'application/gzip' }),
    );
    return refs;
  }

  private async range(accountId: string, hour: string, ref: EventsRef): Promise<Buffer> {
    const output = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: eventsObjectKey(accountId, hour, ref.generation), Range: `bytes=${ref.offset}-${ref.offset + ref.length - 1}` }),
    );
    const bytes = await output.Body?.transformToByteArray();
    if (!bytes) throw new Error(`no events at ${eventsObjectKey(accountId, hour, ref.generation)}`);
    // Some S3 stand-ins ignore Range: cut the member out of a whole-object answer.
    const buffer = Buffer.from(bytes);
    return buffer.length > ref.length ? buffer.subarray(ref.offset, ref.offset + ref.length) : buffer;
  }

  async events(accountId: string, hour: string, ref: EventsRef): Promise<CompactEvent[]> {
    const encoded = JSON.parse(gunzipSync(await this.range(accountId, hour, ref)).toString('utf8')) as EncodedEvent[];
    return encoded.map(decodeEvent);
  }

  async header(accountId: string, hour: string, ref: EventsRef): Promise<HourEventsHeader> {
    return JSON.parse(gunzipSync(await this.range(accountId, hour, ref)).toString('utf8')) as HourEventsHeader;
  }

  /** Removes one generation of an hour's events (DeleteObject succeeds for a key that is already gone). */
  async removeGeneration(accountId: string, hour: string, generation: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: eventsObjectKey(accountId, hour, generation) }));
  }

}
