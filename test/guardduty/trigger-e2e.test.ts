import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resetClients } from '../../lambdas/adapters/aws-clients';
import { FindingsStore } from '../../lambdas/adapters/findings/findings-store';
import { InvestigationStore } from '../../lambdas/adapters/investigations/investigation-store';
import { analyzeRelatedFindings } from '../../lambdas/core/analysis/related-findings';
import { toGetInvestigationResponse } from '../../lambdas/core/investigation/responses';
import { buildGuardDutyHandler } from '../../lambdas/guardduty-trigger/handler';
import { deliverGuardDutyEventsFromFile, type LocalDeliveryDependencies } from '../../lambdas/guardduty-trigger/local-delivery';
import type { FindingSource } from '../../lambdas/investigation-stages/stage-context';
import { startEmbeddedServices, type EmbeddedServices } from '../../local/embedded-services';
import { createLocalTables } from '../../local/local-tables';
import { MemoryInstanceSessions, RecordingRunner } from './fakes';
import { ALICE, FINDING_IDS, GET_FINDINGS_FILE, incidentEvents, INCIDENT_EVENTS_FILE, ORG_ACCESS_ROLE, WEB_SERVER_ROLE } from './fixtures';

/**
 * The trigger end to end on the embedded DynamoDB server with the stack's tables, environment variables as
 * local/local-stack.ts sets them, the real stores, and a recording runner in place of the state machine.
 */
const NOW = Date.parse('2026-10-22T19:00:00.000Z');

describe('GuardDuty trigger, end to end', () => {
  let services: EmbeddedServices;
  let dataDir: string;
  let runner: RecordingRunner;
  let deps: LocalDeliveryDependencies;
  let findings: FindingsStore;
  let investigations: InvestigationStore;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'trailhound-guardduty-'));
    services = await startEmbeddedServices({ dataDir, inMemory: true });
    const dynamo = new DynamoDBClient({ endpoint: services.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const tableNames = await createLocalTables(dynamo, `guardduty-test-${process.pid}`);
    dynamo.destroy();
    Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_ENDPOINT_URL_DYNAMODB: services.dynamoEndpoint, RETENTION_DAYS: '365', ...tableNames });
    resetClients();
    runner = new RecordingRunner();
    // Stores come from the environment, as in local mode; the severity threshold is off so every skip reason shows.
    // No trail is ingested here: these findings name their principal (EC2 findings: ec2-findings-e2e.test.ts).
    deps = { runner, instanceSessions: new MemoryInstanceSessions(), minSeverity: 0, now: () => NOW };
    findings = FindingsStore.fromEnvironment();
    investigations = InvestigationStore.fromEnvironment();
  });

  afterAll(async () => {
    await services.stop();
    resetClients();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts one investigation per investigable finding, whatever is delivered twice or re-published', async () => {
    const first = await deliverGuardDutyEventsFromFile(INCIDENT_EVENTS_FILE, deps);
    expect(first.counts).toEqual({ started: 3, 'already-started': 1, skipped: 2, stale: 0, rejected: 0, failed: 0 });

    // The same file again: nothing new starts; the first publication of the web server finding is now older than what is stored.
    const second = await deliverGuardDutyEventsFromFile(INCIDENT_EVENTS_FILE, deps);
    expect(second.counts).toEqual({ started: 0, 'already-started': 3, skipped: 2, stale: 1, rejected: 0, failed: 0 });

    // GetFindings output: alice's finding again (nothing), and a new finding about OrganizationAccountAccessRole (its own investigation).
    const third = await deliverGuardDutyEventsFromFile(GET_FINDINGS_FILE, deps);
    expect(third.results.map((r) => r.delivered && r.outcome.outcome)).toEqual(['already-started', 'started']);

    expect(runner.started.map((s) => s.entityArn).sort()).toEqual([ALICE, ORG_ACCESS_ROLE, ORG_ACCESS_ROLE, WEB_SERVER_ROLE]);
    expect(new Set(runner.started.map((s) => s.investigationId)).size).toBe(4);
  });

  it('makes the investigations visible through the investigation store, as the API returns them', async () => {
    const page = await investigations.listInvestigations({ filter: {}, sort: { field: 'CREATED_TIME', order: 'ASC' }, maxResults: 100 });
    const responses = page.items.map((investigation) => toGetInvestigationResponse(investigation));
    expect(responses).toHaveLength(4);
    const byEntity = (arn: string) => responses.filter((r) => r.EntityArn === arn).sort((a, b) => a.ScopeStartTime.localeCompare(b.ScopeStartTime));
    expect(byEntity(WEB_SERVER_ROLE)).toEqual([
      expect.objectContaining({ EntityType: 'IAM_ROLE', ScopeStartTime: '2026-10-22T15:50:02.000Z', ScopeEndTime: '2026-10-22T17:50:47.000Z', Status: 'RUNNING', State: 'ACTIVE', CreatedTime: '2026-10-22T19:00:00.000Z' }),
    ]);
    expect(byEntity(ALICE)).toEqual([expect.objectContaining({ EntityType: 'IAM_USER', ScopeStartTime: '2026-10-22T17:04:01.000Z', ScopeEndTime: '2026-10-22T19:05:53.000Z' })]);
    expect(byEntity(ORG_ACCESS_ROLE)).toEqual([
      expect.objectContaining({ EntityType: 'IAM_ROLE', ScopeStartTime: '2026-10-22T17:08:58.000Z', ScopeEndTime: '2026-10-22T19:10:47.000Z' }),
      expect.objectContaining({ EntityType: 'IAM_ROLE', ScopeStartTime: '2026-10-22T17:20:44.000Z', ScopeEndTime: '2026-10-22T19:20:44.000Z' }),
    ]);
    // Each started investigation is the one reserved on its finding.
    for (const started of runner.started) expect(responses.some((r) => r.InvestigationId === started.investigationId)).toBe(true);
  });

  it('records every finding, latest version, with its investigation or the reason it has none', async () => {
    const web = await findings.getFinding(FINDING_IDS.webServerExfiltration);
    expect(web).toMatchObject({ count: 3, updatedAt: '2026-10-22T17:11:12.904Z', eventLastSeen: '2026-10-22T16:51:50.000Z', entityArn: WEB_SERVER_ROLE, entityType: 'IAM_ROLE', remoteIps: ['139.180.133.61'] });
    expect(web?.investigation).toMatchObject({ status: 'STARTED', request: { entityArn: WEB_SERVER_ROLE, scopeStartTime: '2026-10-22T15:50:02.000Z' } });
    expect(JSON.parse(web?.raw ?? '{}')).toEqual(incidentEvents()[2].detail);

    const root = await findings.getFinding(FINDING_IDS.rootUsage);
    expect(root).toMatchObject({ principalArn: 'arn:aws:iam::111122223333:root', skipReason: expect.stringContaining('root credentials') });
    expect(root?.entityArn).toBeUndefined();
    expect(root?.investigation).toBeUndefined();

    const probe = await findings.getFinding(FINDING_IDS.portProbe);
    expect(probe).toMatchObject({ resourceType: 'Instance', remoteIps: ['198.51.100.77'], skipReason: expect.stringContaining('no IAM access key') });
    for (const id of Object.values(FINDING_IDS)) expect(await findings.getFinding(id)).toBeDefined();
  });

  it('answers the RELATED_FINDING queries: by entity (any ARN form), by shared IP, by access key, within a scope', async () => {
    const evening = ['2026-10-22T17:00:00Z', '2026-10-22T20:00:00Z'] as const;
    const ids = (summaries: { id: string }[]) => summaries.map((s) => s.id).sort();
    expect(ids(await findings.findingsForEntity(ORG_ACCESS_ROLE, ...evening))).toEqual([FINDING_IDS.orgAccessDiscovery, FINDING_IDS.orgAccessPersistence]);
    expect(ids(await findings.findingsForEntity('arn:aws:sts::444455556666:assumed-role/OrganizationAccountAccessRole/alice', ...evening))).toHaveLength(2);
    expect(ids(await findings.findingsForEntity('arn:aws:iam::444455556666:role/admin/OrganizationAccountAccessRole', ...evening))).toHaveLength(2);
    // Activity outside the scope: before it (updated earlier) or after it (first seen later).
    expect(await findings.findingsForEntity(ORG_ACCESS_ROLE, '2026-10-22T19:00:00Z', '2026-10-22T20:00:00Z')).toEqual([]);
    expect(ids(await findings.findingsForEntity(ORG_ACCESS_ROLE, '2026-10-22T17:00:00Z', '2026-10-22T18:15:00Z'))).toEqual([FINDING_IDS.orgAccessDiscovery]);

    expect(ids(await findings.findingsSharingIps(['45.137.21.9', '::ffff:45.137.21.9', 'bogus'], ...evening))).toEqual([FINDING_IDS.orgAccessDiscovery, FINDING_IDS.aliceCredentialAccess, FINDING_IDS.orgAccessPersistence].sort());
    expect(ids(await findings.findingsSharingAccessKeys(['ASIAERG3IASSLJSCAJAG'], ...evening))).toEqual([FINDING_IDS.orgAccessDiscovery, FINDING_IDS.orgAccessPersistence]);

    // What the stage does: candidates in, Detective indicators out.
    const scope = { entityArn: ALICE, scopeStart: '2026-10-22T17:04:01.000Z', scopeEnd: '2026-10-22T19:05:53.000Z' };
    const candidates = await findings.relatedFindingCandidates({ ...scope, ips: ['45.137.21.9', '208.184.77.34'], accessKeyIds: ['ASIAWCFGCTLNDN2DZIHG'] });
    expect(ids(candidates)).toEqual([FINDING_IDS.orgAccessDiscovery, FINDING_IDS.aliceCredentialAccess, FINDING_IDS.orgAccessPersistence].sort());
    // The same through the stage's FindingSource interface.
    const source: FindingSource = findings;
    expect(ids(await source.findingsFor(ALICE, scope.scopeStart, scope.scopeEnd, ['45.137.21.9']))).toEqual(ids(candidates));
    const result = analyzeRelatedFindings({ ...scope, scopeIps: ['45.137.21.9'], scopeAccessKeyIds: ['ASIAWCFGCTLNDN2DZIHG'], findings: candidates });
    expect(result.related.find((r) => r.finding.id === FINDING_IDS.aliceCredentialAccess)?.reasons).toEqual(['entity', 'access-key', 'ip']);
    expect(result.indicators.filter((i) => i.IndicatorType === 'RELATED_FINDING')).toHaveLength(3);
  });

  it('starts exactly one investigation when the same new finding is delivered concurrently', async () => {
    const [template] = incidentEvents().filter((e) => (e.detail as { id: string }).id === FINDING_IDS.aliceCredentialAccess);
    const id = '0123456789abcdef0123456789abcdef';
    const original = template.detail as Record<string, unknown>;
    const detail = { ...original, id, arn: String(original.arn).replace(FINDING_IDS.aliceCredentialAccess, id) };
    const event = { ...template, id: 'c0ffee00-0000-4000-8000-000000000001', detail };
    const handler = buildGuardDutyHandler({ findings, investigations, runner, instanceSessions: new MemoryInstanceSessions(), maxScopeDays: 30, minSeverity: 0, now: () => NOW });
    const before = runner.started.length;
    const context = {} as Parameters<typeof handler>[1];
    const settled = await Promise.allSettled(Array.from({ length: 6 }, () => handler(event, context)));
    const outcomes = settled.map((s) => (s.status === 'fulfilled' ? s.value.outcome : (s.reason as Error).name));
    expect(outcomes.filter((o) => o === 'started')).toHaveLength(1);
    // The others saw the claim: done already, or still in progress (then Lambda would retry them).
    expect(outcomes.every((o) => ['started', 'already-started', 'ClaimInProgressError'].includes(o))).toBe(true);
    expect(runner.started.length - before).toBe(1);
  });

  it('reports an unreadable file and a bad event without stopping the others', async () => {
    const file = join(dataDir, 'mixed.jsonl');
    const [root] = incidentEvents();
    writeFileSync(file, `${JSON.stringify({ ...root, 'detail-type': 'GuardDuty Runtime Protection Healthy' })}\n${JSON.stringify(root)}\n`);
    const report = await deliverGuardDutyEventsFromFile(file, deps);
    expect(report.counts).toMatchObject({ rejected: 1, skipped: 1 });
    writeFileSync(file, '{"not":"a finding"}');
    await expect(deliverGuardDutyEventsFromFile(file, deps)).rejects.toThrow('neither an EventBridge event');
  });

  it('skips a bad line, reporting its number, and delivers the rest of the file', async () => {
    const file = join(dataDir, 'one-bad-line.jsonl');
    const [first, second] = incidentEvents();
    writeFileSync(file, `${JSON.stringify(first)}\n{"truncated": \n${JSON.stringify(second)}\n`);
    const report = await deliverGuardDutyEventsFromFile(file, deps);
    expect(report.unreadable).toEqual([{ where: `${file}:2`, line: 2, reason: expect.stringMatching(/^not JSON/) }]);
    expect(report.results.map((r) => r.eventId)).toEqual([first.id, second.id]);
    expect(report.results.every((r) => r.delivered)).toBe(true);
  });
});
