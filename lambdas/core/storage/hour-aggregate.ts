import type { ActivityAggregate, ApiCounts } from '../cloudtrail/activity';
import type { CompactEvent } from './compact-event';
import { hourStartMs } from './hours';
import { attributeValueSize, itemSize, utf8Length } from './item-size';

/**
 * The activity of one subject in one hour, folded from its compact events. The compactor stores it (one item
 * per subject and hour), and readers fold the events of a partial hour the same way, so an hour cut by a
 * scope edge is summed with exactly the rules of a whole one.
 */
export interface SubjectMeta {
  subject: string;
  principalType: string;
  principalName: string;
  principalArn?: string;
  issuerArn?: string;
}

export interface HourAggregate extends ActivityAggregate {
  /** Minute of the hour (`00`–`59`) → [calls, failures]: exact volumes at minute resolution. */
  minutes: Record<string, [number, number]>;
  /** Session (temporary access key id) → calls made with it in the hour. */
  sessions: Record<string, number>;
  /**
   * Session → failed calls made with it, for the sessions with any. With `sessions`, a whole hour gives each
   * session's calls and failures without its events (the summary's instances). Absent from items written
   * before it existed: their readers fold the events.
   */
  sessionFailures?: Record<string, number>;
}

function bump(map: Record<string, number>, key: string | undefined, by = 1): void {
  if (key !== undefined && key !== '') map[key] = (map[key] ?? 0) + by;
}

export function minuteKey(offsetMs: number): string {
  return String(Math.floor(offsetMs / 60_000)).padStart(2, '0');
}

export function aggregateEvents(meta: SubjectMeta, hour: string, events: readonly CompactEvent[]): HourAggregate {
  const start = hourStartMs(hour);
  const apis: Record<string, ApiCounts> = {};
  const aggregate: HourAggregate = {
    ...meta,
    hour,
    total: 0,
    failures: 0,
    apis,
    errorCodes: {},
    sourceIps: {},
    userAgents: {},
    resources: {},
    regions: {},
    firstEvent: '',
    lastEvent: '',
    overflow: {},
    minutes: {},
    sessions: {},
    sessionFailures: {},
  };
  let first = Infinity;
  let last = -Infinity;
  for (const event of events) {
    const failed = event.e !== undefined;
    aggregate.total++;
    if (failed) aggregate.failures++;
    const counts = (apis[event.a] ??= { calls: 0, failures: 0 });
    counts.calls++;
    if (failed) counts.failures++;
    bump(aggregate.errorCodes, event.e);
    bump(aggregate.sourceIps, event.i);
    bump(aggregate.userAgents, event.u);
    bump(aggregate.regions, event.g);
    bump(aggregate.sessions, event.s);
    if (failed) bump(aggregate.sessionFailures as Record<string, number>, event.s);
    for (const arn of event.x ?? []) bump(aggregate.resources, arn);
    const minute = (aggregate.minutes[minuteKey(event.t)] ??= [0, 0]);
    minute[0]++;
    if (failed) minute[1]++;
    if (event.m) aggregate.consoleLoginsWithoutMfa = (aggregate.consoleLoginsWithoutMfa ?? 0) + 1;
    if (event.t < first) first = event.t;
    if (event.t > last) last = event.t;
  }
  if (aggregate.total > 0) {
    aggregate.firstEvent = new Date(start + first).toISOString();
    aggregate.lastEvent = new Date(start + last).toISOString();
  }
  return aggregate;
}

/**
 * The breakdown maps a stored aggregate may trim to fit its size budget, in order. Resources first: a busy
 * principal touches thousands of distinct objects, and each reader of resources reads the events when they
 * overflowed. Sessions next: few per hour (one per credential) and what ties an instance role's calls to each
 * instance, without its events. Then the least telling of the rest.
 */
const TRIMMABLE = ['resources', 'sessions', 'sessionFailures', 'userAgents', 'sourceIps', 'errorCodes', 'regions'] as const;

/**
 * Trims an aggregate's breakdowns until the item fits `maxBytes` by DynamoDB's size rule. Totals and minute
 * counts are never trimmed; what a breakdown loses is counted in `overflow` (calls not itemised), so a
 * reader knows the breakdown is partial. The events in S3 keep every value.
 */
export function fitToSize<T extends HourAggregate>(item: T, maxBytes: number, extra: Record<string, unknown> = {}): T {
  let size = itemSize({ ...item, ...extra });
  if (size <= maxBytes) return item;
  const fitted = { ...item, overflow: { ...item.overflow } };
  for (const name of [...TRIMMABLE, 'apis'] as const) {
    const entries = Object.entries((fitted[name] ?? {}) as Record<string, number | ApiCounts>).sort((a, b) => weight(a[1]) - weight(b[1]));
    const kept = Object.fromEntries(entries) as Record<string, number | ApiCounts>;
    for (const [key, value] of entries) {
      if (size <= maxBytes) break;
      delete kept[key];
      // An entry of a map costs its name, its value and one byte of overhead; so does the overflow count, which grows.
      size -= 1 + utf8Length(key) + attributeValueSize(value) + overflowEntrySize(fitted.overflow, name);
      fitted.overflow[name] = (fitted.overflow[name] ?? 0) + weight(value);
      size += overflowEntrySize(fitted.overflow, name);
    }
    (fitted as unknown as Record<string, unknown>)[name] = kept;
    if (size <= maxBytes) break;
  }
  // The running size follows DynamoDB's rule entry by entry; confirm it.
  if (itemSize({ ...fitted, ...extra }) > maxBytes) throw new Error(`an aggregate of ${fitted.subject} cannot fit ${maxBytes} bytes`);
  return fitted;
}

function overflowEntrySize(overflow: Record<string, number>, name: string): number {
  const count = overflow[name];
  return count === undefined ? 0 : 1 + utf8Length(name) + attributeValueSize(count);
}

function weight(value: number | ApiCounts): number {
  return typeof value === 'number' ? value : value.calls;
}
