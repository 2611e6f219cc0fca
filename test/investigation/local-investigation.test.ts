import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectiveClient, GetInvestigationCommand, ListIndicatorsCommand, StartInvestigationCommand, type Indicator } from '@aws-sdk/client-detective';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { LocalInvestigationRunner, loadStageHandlers, type StageHandlers } from '../../local/investigation-runner';
import { startApiServer, type ApiServer } from '../../local/http/server';

/**
 * An investigation end to end, as an analyst runs it: the official Detective client calls the local API,
 * which starts the SAME ASL on the local interpreter, whose Task states call the SAME stage handlers, which
 * read what the ingest handler wrote from the sample logs.
 */
const WORKLOAD = '444455556666';
const GRAPH = `arn:aws:detective:us-east-1:${WORKLOAD}:graph:0123456789abcdef0123456789abcdef`;

let stack: LocalStack;
let dataDir: string;
let handlers: StageHandlers;

async function withApi<T>(runner: LocalInvestigationRunner, fn: (client: DetectiveClient) => Promise<T>): Promise<T> {
  const api: ApiServer = await startApiServer({ port: 0, runner });
  const client = new DetectiveClient({ endpoint: api.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    return await fn(client);
  } finally {
    client.destroy();
    await api.close();
  }
}

async function allIndicators(client: DetectiveClient, investigationId: string): Promise<Indicator[]> {
  const indicators: Indicator[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListIndicatorsCommand({ GraphArn: GRAPH, InvestigationId: investigationId, MaxResults: 10, NextToken }));
    indicators.push(...(page.Indicators ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return indicators;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'trailhound-investigation-'));
  stack = await LocalStack.start({ dataDir, inMemory: true });
  await stack.upload(listLogFiles(join(__dirname, '..', '..', 'examples', 'cloudtrail')));
  await stack.drain();
  handlers = await loadStageHandlers();
  // The whole bundled sample through the pipeline: about a minute alone, several on a machine shared with other runs.
}, 900_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('investigations in local mode', () => {
  it('investigates the role used in the incident and reports what happened', async () => {
    const runner = new LocalInvestigationRunner(handlers, { retryIntervalMs: 10 });
    await withApi(runner, async (client) => {
      const { InvestigationId } = await client.send(
        new StartInvestigationCommand({
          GraphArn: GRAPH,
          EntityArn: `arn:aws:iam::${WORKLOAD}:role/OrganizationAccountAccessRole`,
          ScopeStartTime: new Date('2026-10-22T17:00:00Z'),
          ScopeEndTime: new Date('2026-10-22T23:59:59Z'),
        }),
      );
      const outcome = await runner.wait(InvestigationId as string);
      expect(outcome).toMatchObject({ status: 'SUCCEEDED' });

      const investigation = await client.send(new GetInvestigationCommand({ GraphArn: GRAPH, InvestigationId }));
      expect(investigation).toMatchObject({ Status: 'SUCCESSFUL', EntityType: 'IAM_ROLE', State: 'ACTIVE' });
      expect(['HIGH', 'CRITICAL']).toContain(investigation.Severity);

      const indicators = await allIndicators(client, InvestigationId as string);
      const ttps = indicators.filter((i) => i.IndicatorType === 'TTP_OBSERVED').map((i) => i.IndicatorDetail?.TTPsObservedDetail);
      const stopLogging = ttps.find((t) => t?.APIName?.includes('StopLogging'));
      expect(stopLogging).toMatchObject({ Tactic: 'Defense Evasion', APISuccessCount: 0, APIFailureCount: 1, IpAddress: '45.137.21.9' });
      expect(ttps.some((t) => t?.APIName?.includes('CreateAccessKey'))).toBe(true);

      const newAgents = indicators.filter((i) => i.IndicatorType === 'NEW_USER_AGENT').map((i) => i.IndicatorDetail?.NewUserAgentDetail?.UserAgent);
      expect(newAgents.some((ua) => ua?.startsWith('python-requests'))).toBe(true);
      const newPlaces = indicators.filter((i) => i.IndicatorType === 'NEW_GEOLOCATION').map((i) => i.IndicatorDetail?.NewGeolocationDetail);
      expect(newPlaces.map((p) => p?.IpAddress)).toContain('45.137.21.9');

      const output = outcome.output as { analysis: { stage: string; totalCalls?: number }[] };
      const activity = output.analysis.find((a) => a.stage === 'ApiActivity');
      expect(activity?.totalCalls).toBeGreaterThan(10);
    });
  });

  it('marks the investigation FAILED with the reason when a stage fails', async () => {
    const failing: StageHandlers = {
      ...handlers,
      TtpsObserved: async () => {
        throw Object.assign(new Error('catalog unreadable'), { name: 'CatalogError' });
      },
    };
    const runner = new LocalInvestigationRunner(failing, { retryIntervalMs: 10 });
    await withApi(runner, async (client) => {
      const { InvestigationId } = await client.send(
        new StartInvestigationCommand({ GraphArn: GRAPH, EntityArn: `arn:aws:iam::${WORKLOAD}:role/DataAccess`, ScopeStartTime: new Date('2026-10-22T00:00:00Z'), ScopeEndTime: new Date('2026-10-23T00:00:00Z') }),
      );
      expect((await runner.wait(InvestigationId as string)).status).toBe('FAILED');
      const investigation = await client.send(new GetInvestigationCommand({ GraphArn: GRAPH, InvestigationId }));
      expect(investigation.Status).toBe('FAILED');
    });
  });
});
