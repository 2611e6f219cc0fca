import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DetectiveClient } from '@aws-sdk/client-detective';
import { resetClients } from '../../lambdas/adapters/aws-clients';
import { InvestigationStore } from '../../lambdas/adapters/investigations/investigation-store';
import type { Indicator, InvestigationExecutionInput, Severity } from '../../lambdas/core/investigation/model';
import type { InvestigationRunner } from '../../lambdas/core/investigation/ports';
import { startEmbeddedServices, type EmbeddedServices } from '../../local/embedded-services';
import { startApiServer, type ApiServer } from '../../local/http/server';
import { createLocalTables } from '../../local/local-tables';

/**
 * End-to-end fixture: the embedded DynamoDB server with the stack's tables, the local HTTP API over the
 * Lambda handler, and the official Detective client pointed at it. The runner is a test double standing
 * in for the state machine: it records each start and lets the test finish the investigation through the
 * real store, as the state machine's last stage does.
 */
export class RecordingRunner implements InvestigationRunner {
  readonly started: InvestigationExecutionInput[] = [];
  failWith?: Error;

  constructor(private readonly store: () => InvestigationStore) {}

  async start(investigationId: string, input: InvestigationExecutionInput): Promise<void> {
    if (this.failWith) throw this.failWith;
    expect(input.investigationId).toBe(investigationId);
    this.started.push(input);
  }

  /** What the state machine's last stage does: write the indicators, then the severity and SUCCESSFUL. */
  async complete(investigationId: string, severity: Severity, indicators: readonly Indicator[] = []): Promise<void> {
    await this.store().putIndicators(investigationId, indicators);
    await this.store().completeInvestigation(investigationId, severity);
  }
}

export interface Harness {
  server: ApiServer;
  store: InvestigationStore;
  runner: RecordingRunner;
  detective: DetectiveClient;
  stop(): Promise<void>;
}

export async function startHarness(options: { maxScopeDays?: number } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trailhound-api-'));
  const services: EmbeddedServices = await startEmbeddedServices({ dataDir, inMemory: true });
  const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
  const dynamo = new DynamoDBClient({ endpoint: services.dynamoEndpoint, region: 'us-east-1', credentials });
  const tableNames = await createLocalTables(dynamo, `api-test-${process.pid}`);
  dynamo.destroy();
  // The same variables local/local-stack.ts sets for the handlers.
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_ENDPOINT_URL_DYNAMODB: services.dynamoEndpoint, ...tableNames });
  resetClients();

  const store = InvestigationStore.fromEnvironment();
  const runner = new RecordingRunner(() => store);
  const server = await startApiServer({ runner, maxScopeDays: options.maxScopeDays });
  // maxAttempts 1: the 5xx cases are asserted, not retried with backoff.
  const detective = new DetectiveClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  return {
    server,
    store,
    runner,
    detective,
    async stop() {
      detective.destroy();
      await server.close();
      await services.stop();
      resetClients();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const GRAPH_ARN = 'arn:aws:detective:us-east-1:111122223333:graph:0123456789abcdef0123456789abcdef';
export const ROLE_ARN = 'arn:aws:iam::111122223333:role/Admin';
export const USER_ARN = 'arn:aws:iam::111122223333:user/alice';

export const hoursAgo = (hours: number): Date => new Date(Date.now() - hours * 3_600_000);

/** Raw HTTP call, for what an SDK never sends (bad JSON, unknown members, other methods). */
export async function rawPost(server: ApiServer, path: string, body: string, method = 'POST'): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const response = await fetch(`${server.url}${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
