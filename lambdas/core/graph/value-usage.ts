import type { CompactEvent } from '../storage/compact-event';
import { bucketOfArn } from '../storage/hour-index';
import { hourStartMs } from '../storage/hours';

/**
 * What one principal did with one value (a source address, a user agent, a bucket) in a scope: calls,
 * failures, first and last seen, and per session. Counted from the principal's compact events of the hours the
 * index named, cut exactly to [fromMs, toMs).
 */
export interface Usage {
  calls: number;
  failures: number;
  firstSeen?: string;
  lastSeen?: string;
}

export interface ValueUsage extends Usage {
  sessions: Map<string, Usage>;
  /** `service:Api` → calls and failures. */
  apis: Map<string, Usage>;
}

export type EventMatch = (event: CompactEvent) => boolean;

export const matchSourceIp = (ip: string): EventMatch => (event) => event.i === ip;
export const matchUserAgent = (agent: string): EventMatch => (event) => event.u === agent;
export const matchBucket = (bucket: string): EventMatch => (event) => (event.x ?? []).some((arn) => bucketOfArn(arn) === bucket);

function count(usage: Usage, event: CompactEvent, at: string): void {
  usage.calls++;
  if (event.e) usage.failures++;
  if (!usage.firstSeen || at < usage.firstSeen) usage.firstSeen = at;
  if (!usage.lastSeen || at > usage.lastSeen) usage.lastSeen = at;
}

export function valueUsage(hours: readonly { hour: string; events: readonly CompactEvent[] }[], match: EventMatch, fromMs: number, toMs: number): ValueUsage {
  const usage: ValueUsage = { calls: 0, failures: 0, sessions: new Map(), apis: new Map() };
  for (const { hour, events } of hours) {
    const start = hourStartMs(hour);
    for (const event of events) {
      const time = start + event.t;
      if (time < fromMs || time >= toMs || !match(event)) continue;
      const at = new Date(time).toISOString();
      count(usage, event, at);
      let api = usage.apis.get(event.a);
      if (!api) usage.apis.set(event.a, (api = { calls: 0, failures: 0 }));
      count(api, event, at);
      if (!event.s) continue;
      let session = usage.sessions.get(event.s);
      if (!session) usage.sessions.set(event.s, (session = { calls: 0, failures: 0 }));
      count(session, event, at);
    }
  }
  return usage;
}
