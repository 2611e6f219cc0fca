/**
 * Names of environment variables the handlers read, for the variables lib/ sets beyond the table names (which
 * come from the shared table design). They are repeated here instead of imported from the handler modules, so
 * that `cdk synth` does not load the AWS SDK clients and middy those modules pull in;
 * test/cdk/environment-names.test.ts fails when a name here and the handlers' name drift apart.
 */

/** lambdas/adapters/investigations/sfn-runner.ts: the investigation state machine the API and the trigger start. */
export const STATE_MACHINE_ARN_ENV = 'STATE_MACHINE_ARN';

/** lambdas/api/handler.ts (also read by the GuardDuty trigger): longest investigation scope, in days (30 when unset). */
export const MAX_SCOPE_DAYS_ENV = 'INVESTIGATION_MAX_SCOPE_DAYS';

/** lambdas/adapters/geo/index.ts: comma-separated database paths, or `none`. */
export const GEOIP_CITY_DB_ENV = 'GEOIP_CITY_DB';
export const GEOIP_ASN_DB_ENV = 'GEOIP_ASN_DB';

/**
 * lambdas/investigation-stages/stage-context.ts: comma-separated `s3://bucket/key` URIs of the threat-intel
 * lists (GuardDuty's plain-text IP/CIDR format), fetched by the FlaggedIps stage. (The threat-intel adapter
 * itself only reads local files, named by THREAT_INTEL_FILES, which the deployed stack does not use.)
 */
export const THREAT_INTEL_S3_URIS_ENV = 'THREAT_INTEL_S3_URIS';

/** lambdas/investigation-stages/stage-context.ts: `true` adds the GuardDuty API as a source of related findings. */
export const GUARDDUTY_API_FINDINGS_ENV = 'GUARDDUTY_API_FINDINGS';

/** lambdas/guardduty-trigger/handler.ts: findings below this severity start nothing (a second check behind the rule). */
export const GUARDDUTY_MIN_SEVERITY_ENV = 'GUARDDUTY_MIN_SEVERITY';

/** lambdas/iam-snapshot/handler.ts: the deployment's own account, whose IAM the scheduled snapshot reads. */
export const IAM_SNAPSHOT_ACCOUNT_ID_ENV = 'IAM_SNAPSHOT_ACCOUNT_ID';
