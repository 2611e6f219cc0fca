/**
 * Classifies S3 keys written by VPC Flow Logs. The file name is
 * `<account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz` (`.parquet` for Parquet
 * delivery), under `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/` (optionally `HH/` with per-hour
 * partitions), under `AWSLogs/<org-id>/<account>/…` for an organization's bucket, or under Hive-compatible
 * partitions `AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=…/…/`.
 * The name is classified first so that logs copied elsewhere are recognised too.
 */
export interface FlowLogKey {
  accountId: string;
  region: string;
  flowLogId: string;
  /** `YYYY-MM-DDTHH:mm`: the start of the file's delivery window, from its name. */
  windowStart: string;
  fileFormat: 'text' | 'parquet';
  compressed: boolean;
  organizationId?: string;
  /** The file's name: the same file under another key (a copy, a second prefix) has the same one. */
  fileName: string;
}

const FILE_NAME = /(?:^|\/)((\d{12})_vpcflowlogs_([a-z0-9-]{1,32})_(fl-[0-9a-z]{1,40})_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_([0-9a-zA-Z]{1,64})\.(log|log\.gz|log\.parquet|parquet|gz\.parquet|snappy\.parquet))$/;
const ORG_PREFIX = /(?:^|\/)AWSLogs\/(o-[a-z0-9]{10,32})\/\d{12}\//;

export function parseFlowLogKey(key: string): FlowLogKey | undefined {
  const match = FILE_NAME.exec(key);
  if (!match) return undefined;
  const [, fileName, accountId, region, flowLogId, year, month, day, hour, minute, , extension] = match;
  const windowStart = `${year}-${month}-${day}T${hour}:${minute}`;
  if (Number.isNaN(Date.parse(`${windowStart}:00Z`)) || new Date(`${windowStart}:00Z`).toISOString().slice(0, 16) !== windowStart) return undefined;
  const org = ORG_PREFIX.exec(key);
  return {
    accountId,
    region,
    flowLogId,
    windowStart,
    fileFormat: extension.endsWith('parquet') ? 'parquet' : 'text',
    compressed: extension !== 'log',
    fileName,
    ...(org ? { organizationId: org[1] } : {}),
  };
}
