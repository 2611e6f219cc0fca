import { startApiServer, type ApiServer } from '../local/http/server';
import type { PipelineSession } from './pipeline-run';

/**
 * The graph routes' reads of one entity through the local API (the same handler as in AWS): getEntityProfile,
 * searchEntities, listRelatedEntities and getApiCallVolume, each timed (best of `runs` after one warm-up call)
 * with the DynamoDB reads and S3 GETs of one call.
 */
export interface GraphMeasure {
  route: string;
  status: number;
  ms: number;
  itemsRead: number;
  readUnits: number;
  dynamoRequests: number;
  s3Gets: number;
  /** What the answer holds (entities, calls), to show that the same answer was measured at both volumes. */
  answer: string;
}

export interface GraphTarget {
  roleArn: string;
  /** The searchEntities query. */
  roleName: string;
  from: string;
  to: string;
}

function requests(target: GraphTarget): { route: string; path: string; body: object; answer: (json: Record<string, unknown>) => string }[] {
  const scope = { ScopeStartTime: target.from, ScopeEndTime: target.to };
  const entities = (json: Record<string, unknown>) => `${(json.Entities as unknown[] | undefined)?.length ?? 0} entities`;
  return [
    {
      route: 'getEntityProfile (IAM_ROLE)',
      path: '/graph/getEntityProfile',
      body: { EntityType: 'IAM_ROLE', EntityId: target.roleArn, ...scope },
      answer: (json) => `${(json.ApiCallVolume as { Calls?: number } | undefined)?.Calls ?? '?'} calls`,
    },
    { route: 'searchEntities (IAM_ROLE by ARN)', path: '/graph/searchEntities', body: { EntityType: 'IAM_ROLE', Query: target.roleName, ...scope }, answer: entities },
    { route: 'listRelatedEntities (role → IP_ADDRESS)', path: '/graph/listRelatedEntities', body: { EntityType: 'IAM_ROLE', EntityId: target.roleArn, RelatedEntityType: 'IP_ADDRESS', ...scope }, answer: entities },
    {
      route: 'getApiCallVolume (role, HOUR)',
      path: '/graph/getApiCallVolume',
      body: { EntityType: 'IAM_ROLE', EntityId: target.roleArn, Granularity: 'HOUR', ...scope },
      answer: (json) => `${Number(json.SuccessCount ?? 0) + Number(json.FailureCount ?? 0)} calls`,
    },
  ];
}

async function call(api: ApiServer, path: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

export async function measureGraphReads(session: PipelineSession, target: GraphTarget, runs = 3): Promise<GraphMeasure[]> {
  const api = await startApiServer({ port: 0, runner: { start: () => Promise.resolve() }, maxScopeDays: 30 });
  try {
    const measures: GraphMeasure[] = [];
    for (const request of requests(target)) {
      // Warm-up: module loading, the token key, the first connections.
      await call(api, request.path, request.body);
      let best = Infinity;
      let last: { status: number; json: Record<string, unknown> } | undefined;
      for (let run = 0; run < runs; run++) {
        session.meter.reset();
        const start = process.hrtime.bigint();
        last = await call(api, request.path, request.body);
        best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
      }
      const { dynamo, s3 } = session.meter;
      measures.push({
        route: request.route,
        status: last?.status ?? 0,
        ms: best,
        itemsRead: dynamo.itemReads,
        readUnits: dynamo.readUnits,
        dynamoRequests: Object.values(dynamo.requests).reduce((a, b) => a + b, 0),
        s3Gets: Object.values(s3).reduce((sum, counts) => sum + counts.get, 0),
        answer: last && last.status === 200 ? request.answer(last.json) : String(last?.json.Message ?? ''),
      });
    }
    return measures;
  } finally {
    await api.close();
  }
}
