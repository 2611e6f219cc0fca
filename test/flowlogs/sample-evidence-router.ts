import type { ApiDependencies } from '../../lambdas/api/operations';
import { createRouter } from '../../lambdas/api/router';
import type { Indicator, Investigation } from '../../lambdas/core/investigation/model';
import type { SessionView } from '../../lambdas/core/queries/session-view';
import { FlowQueries } from '../../lambdas/queries/flow-queries';
import type { TrailQueries } from '../../lambdas/queries/trail-queries';
import type { SampleFlows } from './sample-flows';

/**
 * The Investigation API over the bundled sample's flow tables, for one investigation of web-1's role with the
 * given indicators: the role's one session runs on web-1 and made no call (its evidence is flows alone).
 */
export function sampleEvidenceRouter(sample: SampleFlows, investigation: Investigation, indicators: readonly Indicator[]): ReturnType<typeof createRouter> {
  const session = { sessionId: 'ASIAWEB1EXAMPLE00001', issuerArn: investigation.entityArn, instanceId: sample.web1 } as unknown as SessionView;
  const queries = {
    sessionsOfRole: () => Promise.resolve([session]),
    hourItems: () => Promise.resolve([]),
    storedHourItems: () => Promise.resolve([]),
    eventsOfItem: () => Promise.resolve([]),
    hourObjects: () => Promise.resolve(undefined),
  } as unknown as TrailQueries;
  return createRouter({
    store: {
      getInvestigation: (id: string) => Promise.resolve(id === investigation.investigationId ? investigation : undefined),
      // Keys are <type>#<sequence>: the index-th is the one after sequence index-1.
      listIndicators: (_id: string, query: { after?: { sk: string }; maxResults: number }) => {
        const start = query.after ? Number(query.after.sk.split('#')[1]) + 1 : 0;
        return Promise.resolve({ items: indicators.slice(start, start + query.maxResults) });
      },
    } as unknown as ApiDependencies['store'],
    tokenKeys: { tokenKey: () => Promise.resolve(Buffer.alloc(32, 1)) },
    runner: { start: () => Promise.resolve() },
    maxScopeDays: 30,
    graph: { queries, recordsAt: () => Promise.resolve({ status: 'OBJECT_DELETED' as const }), flows: new FlowQueries(sample.port) },
    now: () => sample.now,
  } as ApiDependencies);
}
