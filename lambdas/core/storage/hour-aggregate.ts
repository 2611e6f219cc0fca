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
  /**
   * Session (temporary access key id) → [calls, failed calls] made with it in the hour: a whole hour gives each
   * session's calls and failures without its events (the summary's instances). One entry per session, with
   * both counts: a busy instance role's 300-odd sessions an hour fit the item budget, where two maps keyed by
   * the same ids did not. Items written before hold calls alone (a number); see sessionCountsOf.
   */
  sessions: Record<string, SessionTally | number>;
  /**
   * Only in items written by the previous version, whose `sessions` held calls alone: session → failed calls,
   * for the sessions with any. Items older still have neither failures nor this map: their readers fold the events.
   */
  sessionFailures?: Record<string, number>;
}

/** A session's [calls, failed calls] in an hour. */
export type SessionTally = [number, number];

/**
 * Each session's calls and failed calls as an item itemises them, whatever version wrote it; undefined when
 * the item does not give failures per session (written before they were kept), so its events must be read.
 * A trimmed breakdown (`overflow.sessions`) is the caller's concern.
 */
export function sessionCountsOf(item: Pick<HourAggregate, 'sessions' | 'sessionFailures'>): Map<string, { calls: number; failures: number }> | undefined {
  const counts = new Map<string, { calls: number; failures: number }>();
  for (const [id, value] of Object.entries(item.sessions ?? {})) {
    if (Array.isArray(value)) counts.set(id, { calls: value[0], failures: value[1] });
    else if (item.sessionFailures !== undefined) counts.set(id, { calls: value, failures: item.sessionFailures[id] ?? 0 });
    else return undefined;
  }
  return counts;
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
    if (event.s) {
      const tally = (aggregate.sessions[event.s] ??= [0, 0]) as SessionTally;
      tally[0]++;
      if (failed) tally[1]++;
    }
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
const TRIMMABLE = ['resources', 'sessions', 'userAgents', 'sourceIps', 'errorCodes', 'regions'] as const;

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
    const entries = Object.entries((fitted[name] ?? {}) as Record<string, BreakdownValue>).sort((a, b) => weight(a[1]) - weight(b[1]));
    const kept = Object.fromEntries(entries) as Record<string, BreakdownValue>;
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

type BreakdownValue = number | SessionTally | ApiCounts;

/** The calls a breakdown entry stands for: what `overflow` counts when it is dropped. */
function weight(value: BreakdownValue): number {
  if (typeof value === 'number') return value;
  return Array.isArray(value) ? value[0] : value.calls;
}
