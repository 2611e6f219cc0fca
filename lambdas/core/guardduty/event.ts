import { createHash } from 'node:crypto';
import { camelCaseKeys, isObject, text } from './json';

/**
 * The EventBridge envelope GuardDuty publishes each finding in: `source` aws.guardduty, `detail-type`
 * "GuardDuty Finding", the finding as `detail`. One event per finding, again for every update of it.
 */
export const GUARDDUTY_SOURCE = 'aws.guardduty';
export const FINDING_DETAIL_TYPE = 'GuardDuty Finding';

export interface GuardDutyFindingEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** The finding of a GuardDuty Finding event, or why the event is not one. */
export function findingOfEvent(event: unknown): { finding: unknown } | { rejected: string } {
  if (!isObject(event)) return { rejected: 'the event is not a JSON object' };
  if (event.source !== GUARDDUTY_SOURCE || event['detail-type'] !== FINDING_DETAIL_TYPE) {
    return { rejected: `not a GuardDuty finding event (source ${String(event.source)}, detail-type ${String(event['detail-type'])})` };
  }
  if (!isObject(event.detail)) return { rejected: 'the event has no detail object' };
  return { finding: event.detail };
}

/** A UUID-shaped id that is a function of the finding version, so wrapping the same finding twice gives the same event. */
function eventId(findingId: string, updatedAt: string): string {
  const hex = createHash('sha256').update(`${findingId}\n${updatedAt}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Wraps a finding as GuardDuty's EventBridge event would carry it (e.g. GetFindings output replayed locally):
 * members in EventBridge's camelCase, `time` = the finding's update time, account and region from the finding.
 */
export function toFindingEvent(finding: unknown): GuardDutyFindingEvent {
  const detail = camelCaseKeys(finding);
  const id = isObject(detail) ? (text(detail.id) ?? '') : '';
  const updatedAt = isObject(detail) ? (text(detail.updatedAt) ?? '') : '';
  return {
    version: '0',
    id: eventId(id, updatedAt),
    'detail-type': FINDING_DETAIL_TYPE,
    source: GUARDDUTY_SOURCE,
    account: (isObject(detail) && text(detail.accountId)) || '',
    time: updatedAt.replace(/\.\d+Z$/, 'Z'),
    region: (isObject(detail) && text(detail.region)) || '',
    resources: [],
    detail,
  };
}
