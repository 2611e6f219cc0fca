/**
 * Flow logs use the same two stages as CloudTrail (register per object, compact per account-hour) under their
 * own hour keys, `flow#<account>#<hour>`, so a CloudTrail hour and a flow-log hour of one account are compacted
 * apart (their objects, pending marks and manifests never mix).
 */
export const FLOW_HOUR_PREFIX = 'flow#';

export function flowHourKeyOf(accountId: string, hour: string): string {
  return `${FLOW_HOUR_PREFIX}${accountId}#${hour}`;
}

export function parseFlowHourKey(hourKey: string): { accountId: string; hour: string } | undefined {
  const match = /^flow#(\d{12})#(\d{4}-\d{2}-\d{2}T\d{2})$/.exec(hourKey);
  return match ? { accountId: match[1], hour: match[2] } : undefined;
}

export function isFlowHourKey(hourKey: string): boolean {
  return hourKey.startsWith(FLOW_HOUR_PREFIX);
}
