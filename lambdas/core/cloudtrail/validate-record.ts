import type { CloudTrailRecord } from './types';

export type RecordCheck = { ok: true; record: CloudTrailRecord } | { ok: false; reason: string };

/**
 * CloudTrail documents eventVersion as major.minor, where minor versions only add fields.
 * We accept any 1.x and refuse other majors, whose layout we cannot assume.
 */
const SUPPORTED_EVENT_VERSION = /^1\.\d+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `2026-11-02T25:61:61Z` matches the pattern but names no instant: the calendar fields must survive a round trip. */
function isRealInstant(eventTime: string): boolean {
  const ms = Date.parse(eventTime);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === eventTime.slice(0, 19);
}

/** Checks that a parsed JSON value is a usable CloudTrail record, with the reason when it is not. */
export function validateRecord(value: unknown): RecordCheck {
  if (!isObject(value)) return { ok: false, reason: 'record is not a JSON object' };
  const { eventVersion, eventTime, eventSource, eventName, userIdentity } = value;
  if (typeof eventVersion !== 'string') return { ok: false, reason: 'missing eventVersion' };
  if (!SUPPORTED_EVENT_VERSION.test(eventVersion)) return { ok: false, reason: `unsupported eventVersion ${JSON.stringify(eventVersion.slice(0, 16))}` };
  if (typeof eventTime !== 'string' || !ISO_TIME.test(eventTime)) return { ok: false, reason: 'missing or malformed eventTime' };
  if (!isRealInstant(eventTime)) return { ok: false, reason: 'eventTime is not a real instant' };
  if (typeof eventSource !== 'string' || eventSource === '') return { ok: false, reason: 'missing eventSource' };
  if (typeof eventName !== 'string' || eventName === '') return { ok: false, reason: 'missing eventName' };
  if (!isObject(userIdentity)) return { ok: false, reason: 'missing userIdentity' };
  return { ok: true, record: value as unknown as CloudTrailRecord };
}
