import { DetectiveClient, GetInvestigationCommand, StartInvestigationCommand } from '@aws-sdk/client-detective';
import { startApiServer } from '../local/http/server';
import { LocalInvestigationRunner, loadStageHandlers } from '../local/investigation-runner';
import type { PipelineSession } from './pipeline-run';

/**
 * One investigation of one role through the local API and state machine (as test/investigation does), timed
 * from StartInvestigation to the end of the execution, with the DynamoDB reads and S3 requests it made.
 */
export interface InvestigationMeasure {
  ms: number;
  status: string;
  itemsRead: number;
  readUnits: number;
  dynamoRequests: number;
  s3Gets: number;
}

const GRAPH = 'arn:aws:detective:us-east-1:000000000000:graph:00000000000000000000000000000000';

export async function investigate(session: PipelineSession, entityArn: string, from: Date, to: Date): Promise<InvestigationMeasure> {
  const runner = new LocalInvestigationRunner(await loadStageHandlers(), { retryIntervalMs: 10 });
  const api = await startApiServer({ port: 0, runner });
  const client = new DetectiveClient({ endpoint: api.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    session.meter.reset();
    const start = process.hrtime.bigint();
    const { InvestigationId } = await client.send(new StartInvestigationCommand({ GraphArn: GRAPH, EntityArn: entityArn, ScopeStartTime: from, ScopeEndTime: to }));
    const outcome = await runner.wait(InvestigationId as string);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const { dynamo, s3 } = session.meter;
    const measure = {
      ms,
      status: outcome.status === 'SUCCEEDED' ? ((await client.send(new GetInvestigationCommand({ GraphArn: GRAPH, InvestigationId }))).Status ?? 'UNKNOWN') : `${outcome.status}: ${outcome.error ?? ''}`,
      itemsRead: dynamo.itemReads,
      readUnits: dynamo.readUnits,
      dynamoRequests: Object.values(dynamo.requests).reduce((a, b) => a + b, 0),
      s3Gets: Object.values(s3).reduce((sum, counts) => sum + counts.get, 0),
    };
    return measure;
  } finally {
    client.destroy();
    await api.close();
  }
}
