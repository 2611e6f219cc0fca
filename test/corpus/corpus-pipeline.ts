import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectiveClient, GetInvestigationCommand, ListIndicatorsCommand, StartInvestigationCommand, type GetInvestigationCommandOutput, type Indicator } from '@aws-sdk/client-detective';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles, type LogFile } from '../../local/log-files';
import type { ConsoleSite } from '../../local/console/static-site';
import { LocalInvestigationRunner, loadStageHandlers, type ExecutionOutcome } from '../../local/investigation-runner';
import { startApiServer, type ApiServer } from '../../local/http/server';
import { CORPUS_DIR } from './raw-corpus';
import { deliverGuardDutyEvents, type DeliveryReport } from '../../lambdas/guardduty-trigger/local-delivery';
import { TrailInstanceSessions } from '../../lambdas/queries/instance-sessions';
import { dynamoDocumentClient } from '../../lambdas/adapters/aws-clients';
import { recordScans } from '../helpers/no-scan';

/**
 * The real corpus through the local pipeline, as an analyst runs it: the ingest handler reads the fixture's
 * gzipped logs from the local S3, and investigations go through the Detective-compatible API, the same ASL
 * and the same stage handlers as in AWS.
 */
export const GRAPH = 'arn:aws:detective:us-east-1:123837392027:graph:0123456789abcdef0123456789abcdef';

export interface InvestigationRun {
  outcome: ExecutionOutcome;
  investigation: GetInvestigationCommandOutput;
  indicators: Indicator[];
}

export class CorpusPipeline {
  private constructor(
    private readonly stack: LocalStack,
    private readonly dataDir: string,
    private readonly runner: LocalInvestigationRunner,
    private readonly api: ApiServer,
    private readonly client: DetectiveClient,
  ) {}

  /**
   * `extraFiles`: log objects uploaded beside the corpus (crafted logs); `console`: served on the API's port;
   * `logsDir`: another folder of logs instead of the corpus (the bundled sample, which has VPC flow logs).
   */
  static async start(options: { extraFiles?: LogFile[]; console?: ConsoleSite; logsDir?: string } = {}): Promise<CorpusPipeline> {
    const dataDir = mkdtempSync(join(tmpdir(), 'trailhound-corpus-'));
    const stack = await LocalStack.start({ dataDir, inMemory: true });
    await stack.upload([...listLogFiles(options.logsDir ?? CORPUS_DIR), ...(options.extraFiles ?? [])]);
    await stack.drain();
    const runner = new LocalInvestigationRunner(await loadStageHandlers(), { retryIntervalMs: 10 });
    const api = await startApiServer({ port: 0, runner, ...(options.console ? { console: options.console } : {}) });
    const client = new DetectiveClient({ endpoint: api.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    return new CorpusPipeline(stack, dataDir, runner, api, client);
  }

  /** The local API's base URL, for routes the Detective client has no command for (the /graph routes). */
  get localStack(): LocalStack {
    return this.stack;
  }

  get apiUrl(): string {
    return this.api.url;
  }

  async investigate(entityArn: string, from = '2023-07-10T11:00:00Z', to = '2023-07-10T13:00:00Z'): Promise<InvestigationRun> {
    const { InvestigationId } = await this.client.send(new StartInvestigationCommand({ GraphArn: GRAPH, EntityArn: entityArn, ScopeStartTime: new Date(from), ScopeEndTime: new Date(to) }));
    const outcome = await this.runner.wait(InvestigationId as string);
    const investigation = await this.client.send(new GetInvestigationCommand({ GraphArn: GRAPH, InvestigationId }));
    const indicators: Indicator[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(new ListIndicatorsCommand({ GraphArn: GRAPH, InvestigationId, MaxResults: 100, NextToken }));
      indicators.push(...(page.Indicators ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return { outcome, investigation, indicators };
  }

  /** GuardDuty events through the real trigger, as `--guardduty-events FILE` delivers them; investigations run to the end. */
  async deliverGuardDuty(events: readonly unknown[], minSeverity = 4): Promise<DeliveryReport> {
    const report = await deliverGuardDutyEvents(events, { runner: this.runner, instanceSessions: new TrailInstanceSessions(this.stack.queries), minSeverity });
    for (const result of report.results) if (result.delivered && result.outcome.outcome === 'started') await this.runner.wait(result.outcome.investigationId);
    return report;
  }

  /** Waits for an investigation started by any client (e.g. the console) to finish. */
  wait(investigationId: string): Promise<ExecutionOutcome> {
    return this.runner.wait(investigationId);
  }

  /** The local S3, where the fixture's log objects are. */
  get s3(): LocalStack['s3'] {
    return this.stack.s3;
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.api.close();
    await this.stack.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * The corpus pipeline of one test file, started before its tests and stopped after them, with every test
 * failing if a read scanned a table (routes read with Query and GetItem on keys). Returns the pipeline's getter.
 */
export function corpusPipelineWithoutScans(): () => CorpusPipeline {
  let pipeline: CorpusPipeline | undefined;
  let scans: string[] = [];
  beforeAll(async () => {
    pipeline = await CorpusPipeline.start();
    scans = recordScans(dynamoDocumentClient());
  });
  afterAll(async () => {
    await pipeline?.stop();
  });
  afterEach(() => {
    expect(scans).toEqual([]);
  });
  return () => {
    if (!pipeline) throw new Error('the corpus pipeline has not started');
    return pipeline;
  };
}
