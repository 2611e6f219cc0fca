/**
 * Classifies S3 object keys written by CloudTrail. CloudTrail names log files
 * `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz` under
 * `AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/`, digest files under `CloudTrail-Digest/`
 * and Insights events under `CloudTrail-Insight/`. We classify on the file name first so that logs copied
 * elsewhere (e.g. `aws s3 sync` into a local folder) are recognised too.
 */

export type LogKeyKind = 'cloudtrail-log' | 'cloudtrail-digest' | 'cloudtrail-insight' | 'vpc-flow-log' | 'unknown';

export interface LogKeyInfo {
  kind: LogKeyKind;
  accountId?: string;
  region?: string;
  organizationId?: string;
  /** Why the key is not ingested as a CloudTrail log, for the skip log line. */
  reason?: string;
}

const LOG_FILE = /(?:^|\/)(\d{12})_CloudTrail_([a-z0-9-]+)_\d{8}T\d{4}Z_[A-Za-z0-9]+\.json(\.gz)?$/;
const DIGEST_FILE = /(?:^|\/)\d{12}_CloudTrail-Digest_/;
const INSIGHT_FILE = /(?:^|\/)\d{12}_CloudTrail-Insight_/;
const FLOW_LOG_FILE = /(?:^|\/)\d{12}_vpcflowlogs_/;
const ORG_PREFIX = /(?:^|\/)AWSLogs\/(o-[a-z0-9]{10,32})\/\d{12}\//;

export function classifyLogKey(key: string): LogKeyInfo {
  if (DIGEST_FILE.test(key) || key.includes('/CloudTrail-Digest/')) {
    return { kind: 'cloudtrail-digest', reason: 'CloudTrail digest file (integrity validation, no events)' };
  }
  if (INSIGHT_FILE.test(key) || key.includes('/CloudTrail-Insight/')) {
    return { kind: 'cloudtrail-insight', reason: 'CloudTrail Insights file (anomaly summaries, no API events)' };
  }
  if (FLOW_LOG_FILE.test(key) || key.includes('/vpcflowlogs/') || key.includes('/aws-service=vpcflowlogs/')) {
    return { kind: 'vpc-flow-log', reason: 'VPC Flow Log file (read by the flow-log ingester)' };
  }
  const match = LOG_FILE.exec(key);
  if (!match) return { kind: 'unknown', reason: 'key does not name a CloudTrail log file' };
  const org = ORG_PREFIX.exec(key);
  return { kind: 'cloudtrail-log', accountId: match[1], region: match[2], ...(org ? { organizationId: org[1] } : {}) };
}
