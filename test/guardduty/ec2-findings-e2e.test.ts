import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FindingsStore } from '../../lambdas/adapters/findings/findings-store';
import { deliverGuardDutyEventsFromFile } from '../../lambdas/guardduty-trigger/local-delivery';
import { TrailInstanceSessions } from '../../lambdas/queries/instance-sessions';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { RecordingRunner } from './fakes';
import { FIXTURES } from './fixtures';

/**
 * EC2 findings in local mode, as `npm start -- --guardduty-events test/fixtures/guardduty/ec2-findings.jsonl`
 * delivers them: the sample CloudTrail is ingested by the real pipeline, and each finding's instance is
 * resolved to its role through the sessions just ingested. The expected roles are counted from the raw log
 * files (AssumeRole calls by ec2.amazonaws.com whose session name is the instance id), not from the tables.
 */
const SAMPLE = join(__dirname, '..', '..', 'examples', 'cloudtrail');
const EC2_FILE = join(FIXTURES, 'ec2-findings.jsonl');

interface RawRecord {
  eventName: string;
  eventTime: string;
  userIdentity?: { type?: string; invokedBy?: string };
  sourceIPAddress?: string;
  requestParameters?: { roleArn?: string; roleSessionName?: string } | null;
}

/** Instance id → the roles EC2 assumed for it on 2026-10-22, straight from the gzipped log files. */
function instanceRolesFromRawLogs(): Map<string, Set<string>> {
  const roles = new Map<string, Set<string>>();
  for (const file of listLogFiles(SAMPLE)) {
    if (!file.key.includes('/CloudTrail/')) continue;
    const { Records } = JSON.parse(gunzipSync(readFileSync(file.path)).toString('utf8')) as { Records: RawRecord[] };
    for (const r of Records) {
      const byEc2 = r.sourceIPAddress === 'ec2.amazonaws.com' || r.userIdentity?.invokedBy === 'ec2.amazonaws.com';
      const session = r.requestParameters?.roleSessionName;
      if (r.eventName !== 'AssumeRole' || !byEc2 || !session?.startsWith('i-') || !r.eventTime.startsWith('2026-10-22')) continue;
      const set = roles.get(session) ?? new Set<string>();
      set.add(String(r.requestParameters?.roleArn));
      roles.set(session, set);
    }
  }
  return roles;
}

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'trailhound-ec2-findings-'));
  stack = await LocalStack.start({ dataDir, inMemory: true });
  await stack.upload(listLogFiles(SAMPLE));
  await stack.drain();
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('starts an investigation of each instance-profile role, and records the attacker-launched instance as skipped', async () => {
  const runner = new RecordingRunner();
  const deps = { runner, instanceSessions: new TrailInstanceSessions(stack.queries), minSeverity: 4, now: () => Date.parse('2026-10-23T00:00:00Z') };
  const report = await deliverGuardDutyEventsFromFile(EC2_FILE, deps);

  const findings = readFileSync(EC2_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { detail: { id: string; type: string; resource: { instanceDetails: { instanceId: string } } } }).detail);
  const rawRoles = instanceRolesFromRawLogs();
  const expected = findings.filter((f) => rawRoles.has(f.resource.instanceDetails.instanceId));
  const unresolved = findings.filter((f) => !rawRoles.has(f.resource.instanceDetails.instanceId));
  // The fixture covers both cases: the web servers (sessions in the trail) and the attacker's miner (none).
  expect(expected.length).toBeGreaterThan(0);
  expect(unresolved.length).toBeGreaterThan(0);

  expect(report.counts).toEqual({ started: expected.length, 'already-started': 0, skipped: unresolved.length, stale: 0, rejected: 0, failed: 0 });
  const startedRoles = runner.started.map((s) => s.entityArn);
  expect(startedRoles).toEqual(expected.map((f) => [...(rawRoles.get(f.resource.instanceDetails.instanceId) ?? [])][0]));
  for (const f of expected) expect(rawRoles.get(f.resource.instanceDetails.instanceId)?.size).toBe(1);

  const store = FindingsStore.fromEnvironment();
  for (const f of unresolved) {
    const recorded = await store.getFinding(f.id);
    expect(recorded).toMatchObject({ skipReason: expect.stringContaining(`no instance-profile session of EC2 instance ${f.resource.instanceDetails.instanceId}`) });
  }

  // A second delivery starts nothing new.
  const again = await deliverGuardDutyEventsFromFile(EC2_FILE, deps);
  expect(again.counts).toMatchObject({ started: 0, 'already-started': expected.length, skipped: unresolved.length });
});
