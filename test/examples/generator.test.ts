import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  type CloudTrailEvent,
  DEFAULT_SEED,
  generateBulkLogFile,
  generateBulkRecords,
  generateFlowLogs,
  generateScenario,
  INCIDENT_DAY,
  IP,
  type ScenarioOutput,
  sha256Hex,
  USER_AGENT,
} from '../../examples/generator';
import { BAD_FIXTURES_DIR, buildBadFixtures } from '../fixtures/make-bad-fixtures';

/**
 * The sample-data generator: deterministic, documented record shapes and S3 layout, and session
 * credentials that were really issued before they are used.
 */

const SESSION_CREATING = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetFederationToken', 'GetSessionToken']);
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<16 alnum>.json.gz */
const LOG_KEY =
  /^AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail\/([a-z]{2}-[a-z]+-\d)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{12})_CloudTrail_([a-z]{2}-[a-z]+-\d)_(\d{4})(\d{2})(\d{2})T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/;
/** AWSLogs/[<org-id>/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/<account>_CloudTrail-Digest_<region>_<trail>_<home region>_YYYYMMDDTHHmmssZ.json.gz */
const DIGEST_KEY =
  /^AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail-Digest\/([a-z]{2}-[a-z]+-\d)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{12})_CloudTrail-Digest_([a-z]{2}-[a-z]+-\d)_([A-Za-z0-9_.-]+)_([a-z]{2}-[a-z]+-\d)_(\d{4})(\d{2})(\d{2})T\d{6}Z\.json\.gz$/;

let scenario: ScenarioOutput;
/** The records as an ingester sees them: decompressed and parsed from the generated objects. */
let records: CloudTrailEvent[];

beforeAll(() => {
  scenario = generateScenario();
  records = scenario.objects
    .filter((o) => LOG_KEY.test(o.key))
    .flatMap((o) => (JSON.parse(gunzipSync(o.body).toString('utf8')) as { Records: CloudTrailEvent[] }).Records);
});

/** What is wrong with a record's required fields, as readable strings (empty when nothing is). */
function problems(record: CloudTrailEvent): string[] {
  const checks: [boolean, string][] = [
    [/^1\.(08|09|11)$/.test(record.eventVersion), 'eventVersion'],
    [ISO_SECONDS.test(record.eventTime), 'eventTime'],
    [typeof record.userIdentity === 'object' && record.userIdentity !== null, 'userIdentity'],
    [/^[a-z0-9-]+\.amazonaws\.com$/.test(record.eventSource), 'eventSource'],
    [/^[A-Za-z0-9]+$/.test(record.eventName), 'eventName'],
    [/^(us-east-1|eu-west-1)$/.test(record.awsRegion), 'awsRegion'],
    [/^(\d{1,3}(\.\d{1,3}){3}|[a-z0-9.-]+\.amazonaws\.com)$/.test(record.sourceIPAddress), 'sourceIPAddress'],
    [typeof record.userAgent === 'string' && record.userAgent.length > 0, 'userAgent'],
    ['requestParameters' in record && 'responseElements' in record, 'requestParameters/responseElements'],
    [UUID.test(record.eventID), 'eventID'],
    [['AwsApiCall', 'AwsServiceEvent', 'AwsConsoleSignIn'].includes(record.eventType), 'eventType'],
    [record.eventType !== 'AwsApiCall' || typeof record.requestID === 'string', 'requestID'],
    [typeof record.readOnly === 'boolean', 'readOnly'],
    [record.managementEvent === (record.eventCategory === 'Management'), 'managementEvent/eventCategory'],
    [['Management', 'Data'].includes(record.eventCategory), 'eventCategory'],
    [/^\d{12}$/.test(record.recipientAccountId), 'recipientAccountId'],
    [record.errorCode === undefined || (typeof record.errorMessage === 'string' && record.responseElements === null), 'errorCode/errorMessage'],
  ];
  return checks.filter(([ok]) => !ok).map(([, field]) => `${record.eventName} ${record.eventID}: ${field}`);
}

describe('determinism', () => {
  it('gives the same bytes for the same seed, and different ones for another seed', () => {
    const again = generateScenario();
    expect(again.objects.map((o) => o.key)).toEqual(scenario.objects.map((o) => o.key));
    again.objects.forEach((o, i) => expect(o.body.equals(scenario.objects[i]?.body ?? Buffer.alloc(0))).toBe(true));
    const other = generateScenario(DEFAULT_SEED + 1);
    expect(other.objects.map((o) => o.key)).not.toEqual(scenario.objects.map((o) => o.key));
  });

  it('writes gzip headers without a timestamp, name or platform dependence', () => {
    for (const object of scenario.objects.slice(0, 50)) {
      expect([...object.body.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
      expect(object.body.readUInt32LE(4)).toBe(0);
      expect(object.body[9]).toBe(3);
    }
  });

  it('generates the same bulk file twice, of the requested size', () => {
    const a = generateBulkLogFile(500, 3);
    expect(a.equals(generateBulkLogFile(500, 3))).toBe(true);
    expect(a.equals(generateBulkLogFile(500, 4))).toBe(false);
    expect((JSON.parse(gunzipSync(a).toString('utf8')) as { Records: unknown[] }).Records).toHaveLength(500);
  });
});

describe('record format', () => {
  it('gives every scenario record the required fields', () => {
    expect(records.length).toBeGreaterThan(3000);
    expect(records.flatMap(problems)).toEqual([]);
    expect(new Set(records.map((r) => r.eventID)).size).toBe(records.length);
  });

  it('gives every bulk record the required fields', () => {
    expect(generateBulkRecords(2000, 5).flatMap(problems)).toEqual([]);
  });

  it('writes log files as compact {"Records":[...]} JSON', () => {
    const first = scenario.logFiles[0];
    expect(first).toBeDefined();
    const text = gunzipSync(first?.body ?? Buffer.alloc(0)).toString('utf8');
    expect(text.startsWith('{"Records":[{"eventVersion":"')).toBe(true);
    expect(text).not.toMatch(/\n/);
  });

  it('shapes session-creating events as documented', () => {
    for (const record of records.filter((r) => SESSION_CREATING.has(r.eventName))) {
      const credentials = record.responseElements?.credentials as Record<string, string>;
      expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(credentials.sessionToken).toMatch(/^IQoJb3JpZ2luX2Vj/);
      expect(credentials.expiration).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$/);
      if (record.eventName.startsWith('AssumeRole')) {
        expect(record.resources?.[0]?.type).toBe('AWS::IAM::Role');
        // Service-initiated AssumeRole events return only the credentials.
        if (record.userIdentity.type !== 'AWSService') expect(record.responseElements?.assumedRoleUser).toBeDefined();
      }
    }
    const samlTypes = new Set(records.filter((r) => r.eventName === 'AssumeRoleWithSAML').map((r) => r.userIdentity.type));
    expect([...samlTypes]).toEqual(['SAMLUser']);
    const webTypes = new Set(records.filter((r) => r.eventName === 'AssumeRoleWithWebIdentity').map((r) => r.userIdentity.type));
    expect([...webTypes]).toEqual(['WebIdentityUser']);
  });

  it('delivers both copies of a cross-account AssumeRole with a shared event id', () => {
    const copies = records.filter((r) => r.eventName === 'AssumeRole' && r.sharedEventID && r.userIdentity.type !== 'AWSService');
    expect(copies.length).toBeGreaterThan(0);
    const byShared = new Map<string, CloudTrailEvent[]>();
    for (const r of copies) byShared.set(r.sharedEventID ?? '', [...(byShared.get(r.sharedEventID ?? '') ?? []), r]);
    for (const pair of byShared.values()) {
      expect(pair).toHaveLength(2);
      const owner = pair.find((r) => r.userIdentity.type === 'AWSAccount');
      const caller = pair.find((r) => r.userIdentity.type === 'AssumedRole');
      expect(owner?.recipientAccountId).toBe('444455556666');
      expect(caller?.recipientAccountId).toBe('111122223333');
      expect(owner?.requestID).toBe(caller?.requestID);
      expect(owner?.eventID).not.toBe(caller?.eventID);
    }
  });

  it('uses every documented identity type and event type', () => {
    const types = new Set(records.map((r) => r.userIdentity.type ?? 'none'));
    for (const type of ['Root', 'IAMUser', 'AssumedRole', 'FederatedUser', 'AWSAccount', 'AWSService', 'SAMLUser', 'WebIdentityUser']) expect(types).toContain(type);
    expect(new Set(records.map((r) => r.eventType))).toEqual(new Set(['AwsApiCall', 'AwsServiceEvent', 'AwsConsoleSignIn']));
    expect(records.some((r) => r.userIdentity.sessionContext?.ec2RoleDelivery === '2.0')).toBe(true);
    expect(records.some((r) => r.sessionCredentialFromConsole === 'true')).toBe(true);
  });
});

describe('S3 layout', () => {
  it('names log files as documented, with the organization prefix for the workload account only', () => {
    for (const file of scenario.logFiles) {
      const m = LOG_KEY.exec(file.key);
      expect([file.key, m !== null]).toEqual([file.key, true]);
      if (!m) continue;
      const [, org, account, region, yyyy, mm, dd, nameAccount, nameRegion, y2, m2, d2] = m;
      expect(org).toBe(account === '444455556666' ? 'o-exampleorg1' : undefined);
      expect([nameAccount, nameRegion, `${y2}${m2}${d2}`]).toEqual([account, region, `${yyyy}${mm}${dd}`]);
      for (const record of file.records) expect([record.recipientAccountId, record.awsRegion]).toEqual([account, region]);
    }
  });

  it('names digest files as documented and chains them', () => {
    const hashes = new Map(scenario.logFiles.map((f) => [f.key, sha256Hex(f.json)]));
    const listed = new Set<string>();
    let previous: { key: string; json: string } | undefined;
    for (const digest of scenario.digestFiles) {
      const m = DIGEST_KEY.exec(digest.key);
      expect([digest.key, m !== null]).toEqual([digest.key, true]);
      const content = JSON.parse(digest.json) as Record<string, unknown> & { logFiles: { s3Object: string; hashValue: string }[] };
      expect(content.digestS3Object).toBe(digest.key);
      // Digests are produced per account and region in day order; a new chain starts with null fields.
      if (content.previousDigestS3Object !== null && previous) {
        expect(content.previousDigestS3Object).toBe(previous.key);
        expect(content.previousDigestHashValue).toBe(sha256Hex(previous.json));
      }
      for (const file of content.logFiles) {
        expect(hashes.get(file.s3Object)).toBe(file.hashValue);
        expect(listed.has(file.s3Object)).toBe(false);
        listed.add(file.s3Object);
      }
      previous = { key: digest.key, json: digest.json };
    }
    expect(listed.size).toBe(scenario.logFiles.length);
  });
});

describe('session credentials', () => {
  it('are issued by an earlier session-creating event, or are a documented exception', () => {
    const issued = new Map<string, { at: number; expires: number }>();
    for (const r of records) {
      if (r.eventSource !== 'sts.amazonaws.com' || !SESSION_CREATING.has(r.eventName) || r.errorCode) continue;
      const credentials = r.responseElements?.credentials as { accessKeyId: string; expiration: string };
      const at = Date.parse(r.eventTime);
      const expires = Date.parse(`${credentials.expiration} UTC`);
      const known = issued.get(credentials.accessKeyId);
      // The two copies of a cross-account AssumeRole carry the same credentials.
      if (!known || known.at > at) issued.set(credentials.accessKeyId, { at, expires });
    }
    const exceptions = new Set(scenario.sessionsWithoutCreation.map((s) => s.accessKeyId));
    const usedExceptions = new Set<string>();
    for (const r of records) {
      const key = r.userIdentity.accessKeyId;
      if (!key?.startsWith('ASIA')) continue;
      const session = issued.get(key);
      if (session) {
        const at = Date.parse(r.eventTime);
        expect([key, r.eventName, at >= session.at && at <= session.expires]).toEqual([key, r.eventName, true]);
      } else {
        expect([key, r.eventName, exceptions.has(key)]).toEqual([key, r.eventName, true]);
        usedExceptions.add(key);
      }
    }
    // Every documented exception is in the data, has no creating event, and they stay a minority.
    expect(usedExceptions).toEqual(exceptions);
    for (const key of exceptions) expect(issued.has(key)).toBe(false);
    expect(exceptions.size).toBeGreaterThanOrEqual(5);
    expect(exceptions.size).toBeLessThan(issued.size / 20);
  });

  it('traces the incident chain back to the stolen MFA session, with alice as source identity', () => {
    const { incident } = scenario;
    const creator = (key: string): CloudTrailEvent | undefined =>
      records.find((r) => SESSION_CREATING.has(r.eventName) && (r.responseElements?.credentials as { accessKeyId?: string } | undefined)?.accessKeyId === key);
    expect(creator(incident.dataAccessSession)?.userIdentity.accessKeyId).toBe(incident.orgAccessSession);
    expect(creator(incident.orgAccessSession)?.userIdentity.accessKeyId).toBe(incident.adminSession);
    expect(creator(incident.adminSession)?.userIdentity.accessKeyId).toBe(incident.stolenMfaSession);
    expect(creator(incident.stolenMfaSession)?.eventName).toBe('GetSessionToken');
    const dataActivity = records.filter((r) => r.userIdentity.accessKeyId === incident.dataAccessSession);
    expect(dataActivity.filter((r) => r.eventName === 'GetObject')).toHaveLength(incident.objectsRead);
    for (const r of dataActivity) expect(r.userIdentity.sessionContext?.sourceIdentity).toBe('alice');
  });

  it('shows the attacker address and clients only on the incident day', () => {
    const novel = new Set<string>([IP.attackerVps, IP.credentialReplayVps, USER_AGENT.attacker, USER_AGENT.credentialReplay]);
    const before = records.filter((r) => Date.parse(r.eventTime) < INCIDENT_DAY);
    expect(before.filter((r) => novel.has(r.sourceIPAddress) || novel.has(r.userAgent))).toHaveLength(0);
    const replay = records.filter((r) => r.userIdentity.accessKeyId === scenario.incident.replayedInstanceSession);
    expect(new Set(replay.map((r) => r.sourceIPAddress))).toEqual(new Set([IP.webServer1, IP.credentialReplayVps]));
  });
});

describe('committed files', () => {
  function listFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? listFiles(join(dir, entry.name)) : [relative(join(__dirname, '..', '..', 'examples', 'cloudtrail'), join(dir, entry.name)).split(sep).join('/')],
    );
  }

  it('examples/cloudtrail is what the generator produces (run `npx tsx examples/generate.ts` after changing it)', () => {
    const root = join(__dirname, '..', '..', 'examples', 'cloudtrail');
    expect(existsSync(root)).toBe(true);
    const keys = listFiles(root).sort();
    // The bucket also holds the sample VPC Flow Logs (examples/generator/flow-logs.ts, test/examples/flow-logs.test.ts).
    const all = [...scenario.objects, ...generateFlowLogs(scenario, DEFAULT_SEED).objects].sort((a, b) => a.key.localeCompare(b.key));
    expect(keys).toEqual(all.map((o) => o.key));
    // Compare content rather than gzip bytes, which a different zlib build could encode differently.
    for (const object of all) {
      expect(gunzipSync(readFileSync(join(root, object.key))).equals(gunzipSync(object.body))).toBe(true);
    }
  });

  it('test/fixtures/bad is what make-bad-fixtures.ts produces', () => {
    const fixtures = buildBadFixtures();
    expect(readdirSync(BAD_FIXTURES_DIR).sort()).toEqual(fixtures.map((f) => f.name).sort());
    for (const fixture of fixtures) expect(readFileSync(join(BAD_FIXTURES_DIR, fixture.name)).equals(fixture.body)).toBe(true);
  });
});
