/**
 * Deterministic sample CloudTrail data: the organisation scenario of examples/README.md, one large log file
 * for benchmarks, and the building blocks both use. Pure TypeScript, no AWS SDK; same seed, same bytes.
 */
export { bulkLogFileKey, generateBulkLogFile, generateBulkRecords } from './bulk';
export { deliverLogFiles, buildDigestFiles, gzip, logFileJson, logFileKey, digestFileKey, sha256Hex } from './delivery';
export type { DigestFile, LogFile, TrailLayout } from './delivery';
export { MANAGEMENT_ACCOUNT, WORKLOAD_ACCOUNT, ORGANIZATION_ID, REGIONS, LOG_BUCKET, SENSITIVE_BUCKET } from './org';
export { Prng } from './prng';
export { DEFAULT_SEED, FIRST_DAY, INCIDENT_DAY, LAST_DAY, generateScenario } from './scenario';
export type { ScenarioOutput, SessionWithoutCreation } from './scenario';
export type { CloudTrailEvent, GeneratedObject, UserIdentity } from './types';
export { IP, USER_AGENT } from './network';
export { CUSTOM_FORMAT_FIELDS, DEFAULT_FORMAT_FIELDS, FLOW_LOG_FIRST_DAY_MS, FLOW_LOG_IDS, flowLogKey, generateFlowLogs } from './flow-logs';
export type { Flow, FlowLogFile, FlowLogSample } from './flow-logs';
export { EU_DEFAULT_SUBNET, WEB_SUBNETS, primaryInterface } from './network-interfaces';
export type { NetworkInterface, Subnet } from './network-interfaces';
