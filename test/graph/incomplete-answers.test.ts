import { EntityGraphApi } from '../../lambdas/api/graph/entity-graph-api';
import type { EntityGraphReads } from '../../lambdas/api/graph/graph-reads';
import { csvResponse } from '../../lambdas/api/http';
import type { ApiDependencies } from '../../lambdas/api/operations';
import { CsvDocument } from '../../lambdas/core/graph/csv';
import { HourCompactor } from '../../lambdas/core/storage/hour-compactor';
import { buildHourIndex, type HourIndex } from '../../lambdas/core/storage/hour-index';
import { ACCOUNT, assumedRole, iamUser, record } from '../helpers/records';

/**
 * An hour index too large for its item drops whole maps (named in `truncated`, core/storage/hour-index.ts):
 * searchEntities and listRelatedEntities must then say that their answer may be incomplete, and only then.
 */
const HOURS = ['2026-10-22T10', '2026-10-22T11'];
const FROM = '2026-10-22T10:00:00.000Z';
const TO = '2026-10-22T12:00:00.000Z';

/** Two real hour indexes (alice with curl, a role session), the second with the given maps dropped as encodeHourIndex drops them. */
function indexes(dropped: readonly string[]): HourIndex[] {
  return HOURS.map((hour, i) => {
    const compactor = new HourCompactor(ACCOUNT, hour);
    compactor.add(record({ userIdentity: iamUser('alice'), eventTime: `${hour}:01:00Z`, userAgent: `curl/${i}`, sourceIPAddress: `203.0.113.${i}` }), 0, 0);
    compactor.add(record({ userIdentity: assumedRole('Web', `s${i}`, `ASIAWEBSESSION00000${i}`), eventTime: `${hour}:02:00Z` }), 0, 1);
    const index = buildHourIndex(compactor.finish());
    if (i === 0 || dropped.length === 0) return index;
    const trimmed: HourIndex = { ...index, truncated: [...dropped] };
    for (const map of dropped) if (map !== 'principals') (trimmed as unknown as Record<string, unknown>)[map] = {};
    return trimmed;
  });
}

function api(indexList: HourIndex[]): EntityGraphApi {
  const reads: EntityGraphReads = {
    accounts: () => Promise.resolve([ACCOUNT]),
    hourIndexes: () => Promise.resolve(indexList),
    hourItems: () => Promise.resolve([]),
    eventsOfItem: () => Promise.resolve([]),
    sessionsOfIssuer: () => Promise.resolve([]),
    sessionsOfRole: () => Promise.resolve([]),
    chain: () => Promise.resolve(undefined),
    sessionsFromOrigin: () => Promise.resolve([]),
    sessionActivity: () => Promise.resolve([]),
  };
  const deps = { graph: { queries: reads }, tokenKeys: { tokenKey: () => Promise.resolve(new Uint8Array(32)) }, maxScopeDays: 30, now: () => Date.parse('2026-10-23T00:00:00Z') };
  return new EntityGraphApi(deps as unknown as ApiDependencies);
}

const search = (indexList: HourIndex[], EntityType: string, Query: string) => api(indexList).searchEntities({ EntityType, Query, ScopeStartTime: FROM, ScopeEndTime: TO });
const related = (indexList: HourIndex[], EntityType: string, EntityId: string, RelatedEntityType: string) =>
  api(indexList).listRelatedEntities({ EntityType, EntityId, RelatedEntityType, ScopeStartTime: FROM, ScopeEndTime: TO });

describe('answers read through a capped hour index say so', () => {
  it('searchEntities: Incomplete when a map the type reads was dropped, absent otherwise', async () => {
    expect(await search(indexes([]), 'USER_AGENT', 'curl*')).not.toHaveProperty('Incomplete');
    const agentsDropped = indexes(['agents']);
    // The dropped hour's agent is not found: the answer is incomplete, and says so.
    expect(await search(agentsDropped, 'USER_AGENT', 'curl*')).toMatchObject({ Entities: [{ EntityId: 'curl/0' }], Incomplete: true });
    // Maps the search does not read change nothing.
    expect(await search(agentsDropped, 'IAM_USER', 'alice')).not.toHaveProperty('Incomplete');
    expect(await search(agentsDropped, 'IP_ADDRESS', '203.0.113.0/24')).not.toHaveProperty('Incomplete');
    expect(await search(indexes(['sessions']), 'ROLE_SESSION', 'ASIA*')).toMatchObject({ Incomplete: true });
    expect(await search(indexes(['ips']), 'IP_ADDRESS', '*')).toMatchObject({ Incomplete: true });
    expect(await search(indexes(['buckets']), 'S3_BUCKET', '*')).toMatchObject({ Incomplete: true });
    expect(await search(indexes(['principals']), 'IAM_ROLE', '*')).toMatchObject({ Incomplete: true });
  });

  it('listRelatedEntities: Incomplete from a value whose map was dropped, or a session key not found where sessions were dropped', async () => {
    expect(await related(indexes([]), 'USER_AGENT', 'curl/1', 'IAM_USER')).not.toHaveProperty('Incomplete');
    expect(await related(indexes(['agents']), 'USER_AGENT', 'curl/1', 'IAM_USER')).toMatchObject({ Incomplete: true });
    expect(await related(indexes(['principals']), 'IP_ADDRESS', '203.0.113.0', 'IAM_USER')).toMatchObject({ Incomplete: true });
    expect(await related(indexes(['agents']), 'IP_ADDRESS', '203.0.113.0', 'IAM_USER')).not.toHaveProperty('Incomplete');
    expect(await related(indexes(['sessions']), 'ROLE_SESSION', 'ASIAUNKNOWN000000001', 'IAM_ROLE')).toMatchObject({ Incomplete: true });
    expect(await related(indexes([]), 'ROLE_SESSION', 'ASIAUNKNOWN000000001', 'IAM_ROLE')).not.toHaveProperty('Incomplete');
  });

  it('CSV answers carry it as the x-incomplete header', async () => {
    const document = await api(indexes(['agents'])).searchEntities({ EntityType: 'USER_AGENT', Query: '*', ScopeStartTime: FROM, ScopeEndTime: TO }, { csv: true });
    expect(document).toBeInstanceOf(CsvDocument);
    expect(csvResponse(document as CsvDocument, 'r').headers).toMatchObject({ 'x-incomplete': 'true' });
    const complete = await api(indexes([])).searchEntities({ EntityType: 'USER_AGENT', Query: '*', ScopeStartTime: FROM, ScopeEndTime: TO }, { csv: true });
    expect(csvResponse(complete as CsvDocument, 'r').headers).not.toHaveProperty('x-incomplete');
  });
});
