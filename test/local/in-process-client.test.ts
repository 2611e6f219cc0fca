import { GetInvestigationCommand, ListInvestigationsCommand, StartInvestigationCommand, ValidationException } from '@aws-sdk/client-detective';
import { inProcessDetectiveClient } from '../../local/http/in-process-client';
import { buildLocalApi } from '../../local/http/server';
import { GRAPH_ARN, hoursAgo, ROLE_ARN, startHarness, type Harness } from '../api/harness';

/**
 * The Detective client `--no-serve` and `investigate` use: the same API handler, called in this process
 * with no socket. It must behave as the HTTP path does, errors included.
 */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness.stop();
});

describe('in-process Detective client', () => {
  it('starts, reads and lists investigations as the HTTP API does', async () => {
    const client = inProcessDetectiveClient(buildLocalApi({ runner: harness.runner, store: harness.store }));
    const { InvestigationId } = await client.send(new StartInvestigationCommand({ GraphArn: GRAPH_ARN, EntityArn: ROLE_ARN, ScopeStartTime: hoursAgo(5), ScopeEndTime: hoursAgo(1) }));
    expect(harness.runner.started.map((s) => s.investigationId)).toContain(InvestigationId);
    const viaClient = await client.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId }));
    const viaHttp = await harness.detective.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId }));
    expect({ ...viaClient, $metadata: undefined }).toEqual({ ...viaHttp, $metadata: undefined });
    expect(viaClient.ScopeStartTime).toBeInstanceOf(Date);
    const listed = await client.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN, MaxResults: 1 }));
    expect(listed.InvestigationDetails).toHaveLength(1);
    expect(typeof listed.NextToken === 'string' || listed.NextToken === undefined).toBe(true);
  });

  it('surfaces API errors as the SDK exceptions', async () => {
    const client = inProcessDetectiveClient(buildLocalApi({ runner: harness.runner, store: harness.store }));
    const error = await client.send(new StartInvestigationCommand({ GraphArn: GRAPH_ARN, EntityArn: 'not-an-arn', ScopeStartTime: hoursAgo(5), ScopeEndTime: hoursAgo(1) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
  });
});
