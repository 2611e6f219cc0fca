import { DAY_MS, formatTimestamp, parseTimestamp } from '../investigation/time';

/**
 * The investigation scope of a finding: its activity window (eventFirstSeen..eventLastSeen) widened by
 * SCOPE_PADDING_MS on each side. Before: how the credentials reached the attacker (the session's creation,
 * a first probe GuardDuty did not flag). After: what the principal did next, since a finding is published
 * minutes after its last event and GuardDuty only aggregates activity that matches the finding type.
 */
export const SCOPE_PADDING_MS = 60 * 60 * 1000;

export interface Scope {
  scopeStartTime: string;
  scopeEndTime: string;
  /** True when the padded window was longer than the API accepts and its start was moved later. */
  clamped: boolean;
}

/**
 * Clamping keeps the END: a long-lived finding (first seen weeks ago, still recurring) is published again
 * because of its latest activity, which is what the analyst needs; the start moves to end − maxScopeDays.
 */
export function investigationScope(window: { start: string; end: string }, maxScopeDays: number, paddingMs: number = SCOPE_PADDING_MS): Scope {
  const first = parseTimestamp(window.start);
  const last = parseTimestamp(window.end);
  if (first === undefined || last === undefined) throw new Error(`not an activity window: ${window.start} .. ${window.end}`);
  const end = Math.max(first, last) + paddingMs;
  const start = Math.min(first, last) - paddingMs;
  const longest = maxScopeDays * DAY_MS;
  const clamped = end - start > longest;
  return { scopeStartTime: formatTimestamp(clamped ? end - longest : start), scopeEndTime: formatTimestamp(end), clamped };
}
