import { GEO_ENV } from '../../lambdas/adapters/geo';
import { STATE_MACHINE_ARN_ENV as RUNNER_STATE_MACHINE_ARN } from '../../lambdas/adapters/investigations/sfn-runner';
import { MAX_SCOPE_DAYS_ENV as API_MAX_SCOPE_DAYS } from '../../lambdas/api/handler';
import { MIN_SEVERITY_ENV } from '../../lambdas/guardduty-trigger/handler';
import { ACCOUNT_ID_ENV as IAM_SNAPSHOT_ACCOUNT_ID } from '../../lambdas/iam-snapshot/handler';
import { GUARDDUTY_API_ENV, THREAT_INTEL_S3_ENV } from '../../lambdas/investigation-stages/stage-context';
import * as names from '../../lib/environment-names';

/** lib/environment-names.ts repeats the handlers' variable names (so synth does not load the handlers): they must agree. */
describe('environment variable names', () => {
  it.each([
    ['STATE_MACHINE_ARN_ENV', names.STATE_MACHINE_ARN_ENV, RUNNER_STATE_MACHINE_ARN],
    ['MAX_SCOPE_DAYS_ENV', names.MAX_SCOPE_DAYS_ENV, API_MAX_SCOPE_DAYS],
    ['GEOIP_CITY_DB_ENV', names.GEOIP_CITY_DB_ENV, GEO_ENV.cityDb],
    ['GEOIP_ASN_DB_ENV', names.GEOIP_ASN_DB_ENV, GEO_ENV.asnDb],
    ['THREAT_INTEL_S3_URIS_ENV', names.THREAT_INTEL_S3_URIS_ENV, THREAT_INTEL_S3_ENV],
    ['GUARDDUTY_API_FINDINGS_ENV', names.GUARDDUTY_API_FINDINGS_ENV, GUARDDUTY_API_ENV],
    ['GUARDDUTY_MIN_SEVERITY_ENV', names.GUARDDUTY_MIN_SEVERITY_ENV, MIN_SEVERITY_ENV],
    ['IAM_SNAPSHOT_ACCOUNT_ID_ENV', names.IAM_SNAPSHOT_ACCOUNT_ID_ENV, IAM_SNAPSHOT_ACCOUNT_ID],
  ])('%s is the name the handlers read', (_name, ours, theirs) => {
    expect(ours).toBe(theirs);
  });
});
