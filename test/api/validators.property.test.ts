import fc from 'fast-check';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MAX_REQUEST_BODY_BYTES } from '../../lambdas/api/http';
import { createRouter, ROUTES } from '../../lambdas/api/router';
import type { ApiDependencies } from '../../lambdas/api/operations';
import type { Investigation } from '../../lambdas/core/investigation/model';
import type { InvestigationRepository } from '../../lambdas/core/investigation/ports';
import type { TrailQueries } from '../../lambdas/queries/trail-queries';
import { FlowQueries } from '../../lambdas/queries/flow-queries';
import { parseGetFlowVolume } from '../../lambdas/core/graph/requests';
import { parseGetNetworkReport } from '../../lambdas/core/graph/network-request';
import { toProxyEvent } from '../../local/http/proxy-event';
import type { ProfileDependencies } from '../../lambdas/api/graph/dependencies';
import { analysisConfigFromEnv, NO_GEO, ThreatIntelMatcher } from '../../lambdas/core/analysis';
import { ENTITY_TYPES as GRAPH_ENTITY_TYPES } from '../../lambdas/core/graph/entity-types';
import { emptyTotals } from '../../lambdas/core/queries/activity-totals';

/**
 * Property-based tests of the request validators, through the router (parse, validate, answer): whatever JSON
 * arrives — random, deep, huge, or nearly valid — the answer is never a 5xx and its body stays small.
 * The store answers from memory so that only validation and error mapping are under test.
 */
const investigation: Investigation = {
  investigationId: '123456789012345678901',
  entityArn: 'arn:aws:iam::111122223333:role/Admin',
  entityType: 'IAM_ROLE',
  status: 'SUCCESSFUL',
  state: 'ACTIVE',
  severity: 'LOW',
  createdTime: '2026-01-01T00:00:00.000Z',
  scopeStartTime: '2025-12-31T00:00:00.000Z',
  scopeEndTime: '2026-01-01T00:00:00.000Z',
};

const store: InvestigationRepository = {
  createInvestigation: () => Promise.resolve(),
  getInvestigation: (id) => Promise.resolve(id === investigation.investigationId ? investigation : undefined),
  listInvestigations: () => Promise.resolve({ items: [investigation], next: { p: 0, c: investigation.createdTime, i: investigation.investigationId } }),
  updateState: () => Promise.resolve(investigation),
  putIndicators: () => Promise.resolve(),
  completeInvestigation: () => Promise.resolve(),
  failInvestigation: () => Promise.resolve(),
  listIndicators: () => Promise.resolve({ items: [] }),
};
/** The graph routes over empty trail tables: only their validation and error mapping are under test here. */
const emptyQueries = {
  accounts: () => Promise.resolve(['111122223333']),
  storedHourItems: () => Promise.resolve([]),
  sessionsOfIssuer: () => Promise.resolve([]),
  hourObjects: () => Promise.resolve(undefined),
  hourIndexes: () => Promise.resolve([]),
  hourItems: () => Promise.resolve([]),
  activityItems: () => Promise.resolve([]),
  eventsOfItem: () => Promise.resolve([]),
  firstHour: () => Promise.resolve(undefined),
  sessionsOfRole: () => Promise.resolve([]),
  sessionsFromOrigin: () => Promise.resolve([]),
  chain: () => Promise.resolve(undefined),
  sessionActivity: () => Promise.resolve([]),
  activityOfSessions: () => Promise.resolve({ totals: emptyTotals(), hourly: [] }),
  instanceActivity: (instanceId: string) => Promise.resolve({ instanceId, sessions: [], totals: emptyTotals(), hourly: [] }),
  iam: { history: () => Promise.resolve(undefined), snapshotAt: () => Promise.resolve(undefined) },
} as unknown as TrailQueries;
const NOW = Date.parse('2026-01-02T00:00:00Z');
const profiles: ProfileDependencies = {
  queries: emptyQueries,
  flows: new FlowQueries({ query: () => Promise.resolve([]), get: () => Promise.resolve(undefined) }),
  geo: NO_GEO,
  threatIntel: () => Promise.resolve({ matcher: new ThreatIntelMatcher(), lists: [] }),
  findingSources: [],
  // One page (the listing routes' double always says more follow).
  investigations: { ...store, listInvestigations: () => Promise.resolve({ items: [investigation] }) },
  config: analysisConfigFromEnv({}),
  retentionDays: 365,
  maxScopeDays: 30,
  now: () => NOW,
};
const graph = { queries: emptyQueries, recordsAt: () => Promise.resolve({ status: 'OBJECT_DELETED' as const }), flows: new FlowQueries({ query: () => Promise.resolve([]), get: () => Promise.resolve(undefined) }) };
const deps: ApiDependencies = { store, tokenKeys: { tokenKey: () => Promise.resolve(Buffer.alloc(32, 1)) }, runner: { start: () => Promise.resolve() }, maxScopeDays: 30, graph, profiles: () => profiles, now: () => NOW };
// listFindings over an empty Findings table, with one finding on 2026-01-01 (so pages and tokens are exercised).
deps.findingList = () => ({
  day: (day: string) =>
    Promise.resolve({
      items: day === '2026-01-01' ? [{ id: 'f1', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2, accountId: '111122223333', region: 'us-east-1', updatedAt: '2026-01-01T10:00:00.000Z', skipReason: '<img src=x>' }] : [],
    }),
});
const route = createRouter(deps);
const PATHS = Object.keys(ROUTES).map((r) => r.split(' ')[1]);
/** Generous for the longest legitimate message (10 violations, each with a 128-character echo). */
const MAX_ERROR_BODY = 8 * 1024;

function event(path: string, body: string): APIGatewayProxyEvent {
  return toProxyEvent({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, body: Buffer.from(body), sourceIp: '127.0.0.1' });
}

async function answer(path: string, body: string): Promise<{ status: number; length: number }> {
  const result = await route(event(path, body));
  return { status: result.statusCode, length: result.body.length };
}

/** Members the validators know, so random bodies often reach the deeper checks instead of failing on names. */
const MEMBERS = ['GraphArn', 'EntityArn', 'ScopeStartTime', 'ScopeEndTime', 'InvestigationId', 'State', 'IndicatorType', 'MaxResults', 'NextToken', 'FilterCriteria', 'SortCriteria', 'Severity', 'Status', 'CreatedTime', 'Value', 'StartInclusive', 'EndInclusive', 'Field', 'SortOrder', 'EntityType', 'EntityId', 'Granularity', 'GroupBy', 'Filter', 'Api', 'SourceIp', 'Caller', 'Session', 'ErrorCode', 'IndicatorIndex', 'Match', 'RelatedEntityType', 'Query', 'HideServiceLinkedRoles', 'AtTime', 'EvidenceKind'];
const nearlyValid = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01T05:00:00Z', '2026-01-01T12:00:00Z', 'arn:aws:iam::111122223333:role/Admin', 'arn:aws:sts::111122223333:assumed-role/Admin/s1', '111122223333', 'i-0123456789abcdef0', '123456789012345678901', 'HIGH', 'ACTIVE', 'SEVERITY', '198.51.100.7', 'ASIAEXAMPLEEXAMPLE12', 'MINUTE', 'DAY', 'API', 'SOURCE_IP', 'TTP_OBSERVED', 'FLAGGED_IP_ADDRESS', 'EVENTS', 'FLOWS', '10.0.0.0/8', '*a?', ...GRAPH_ENTITY_TYPES), tie('object')),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...MEMBERS), fc.string()), tie('value'), { maxKeys: 6 }),
}));

const deep = fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom(...MEMBERS)).map(([depth, open, member]) => {
  const close = open === '[' ? ']' : '}';
  return `{"${member}":${open.repeat(depth)}1${close.repeat(depth)}}`;
});

const manyKeys = fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 300 })).map(([count, nameLength]) => `{${Array.from({ length: count }, (_, i) => `"${'x'.repeat(nameLength)}${i}":${i}`).join(',')}}`);

describe('API validators against random JSON', () => {
  it('never answer 5xx to random JSON, and keep error bodies bounded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.jsonValue(), async (path, value) => {
        const { status, length } = await answer(path, JSON.stringify(value));
        expect(status).toBeLessThan(500);
        if (status >= 400) expect(length).toBeLessThan(MAX_ERROR_BODY);
      }),
      { numRuns: 300 },
    );
  });

  it('never answer 5xx to nearly valid bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), nearlyValid.object, async (path, value) => {
        const { status, length } = await answer(path, JSON.stringify(value));
        expect(status).toBeLessThan(500);
        if (status >= 400) expect(length).toBeLessThan(MAX_ERROR_BODY);
      }),
      { numRuns: 500 },
    );
  });

  it('answer 400 to deep nesting and to thousands of unknown members (413 over the size limit), with a small body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.oneof(deep, manyKeys), async (path, body) => {
        const { status, length } = await answer(path, body);
        expect(status).toBe(Buffer.byteLength(body) > MAX_REQUEST_BODY_BYTES ? 413 : 400);
        expect(length).toBeLessThan(MAX_ERROR_BODY);
      }),
      { numRuns: 60 },
    );
  });

  it('answer valid graph requests with 200 and every invalid one with 400, never 5xx', async () => {
    const volume = fc.record(
      {
        EntityType: fc.constantFrom('IAM_ROLE', 'IAM_USER', 'ROLE_SESSION', 'AWS_ACCOUNT', 'EC2_INSTANCE', 'S3_BUCKET'),
        EntityId: fc.constantFrom('arn:aws:iam::111122223333:role/Admin', 'arn:aws:iam::111122223333:user/alice', 'arn:aws:sts::111122223333:assumed-role/Admin/s1', '111122223333', 'i-0123456789abcdef0', 'x'),
        ScopeStartTime: fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.5Z', 'yesterday'),
        ScopeEndTime: fc.constantFrom('2026-01-01T05:00:00Z', '2026-01-03T00:00:00Z', '2025-12-31T00:00:00Z'),
        Granularity: fc.constantFrom('MINUTE', 'HOUR', 'DAY', 'WEEK'),
        GroupBy: fc.constantFrom('API', 'SOURCE_IP', 'CALLER', 'SESSION', 'ERROR_CODE', ''),
        Filter: fc.oneof(fc.record({ Api: fc.string({ maxLength: 300 }) }, { requiredKeys: [] }), fc.record({ ErrorCode: fc.string() }), fc.jsonValue({ maxDepth: 1 })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(volume, async (body) => {
        const { status } = await answer('/graph/getApiCallVolume', JSON.stringify(body));
        expect([200, 400]).toContain(status);
      }),
      { numRuns: 300 },
    );
  });

  it('answer getFlowVolume 200 for valid requests and 400 for every invalid one, never 5xx', async () => {
    const flow = fc.record(
      {
        EntityType: fc.oneof(fc.constantFrom('EC2_INSTANCE', 'IP_ADDRESS', 'IAM_ROLE'), fc.string()),
        EntityId: fc.oneof(fc.constantFrom('i-0123456789abcdef0', '139.180.133.61', '2001:db8::1', '10.0.0.0/8', 'x'), fc.string({ maxLength: 300 })),
        ScopeStartTime: fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01T00:30:00.5Z', '2030-01-01T00:00:00Z', 'yesterday'),
        ScopeEndTime: fc.constantFrom('2026-01-01T05:00:00Z', '2026-01-03T00:00:00Z', '2025-12-31T00:00:00Z', '2026-03-01T00:00:00Z'),
        Granularity: fc.constantFrom('MINUTE', 'HOUR', 'DAY', ''),
        GroupBy: fc.constantFrom('PEER_IP', 'PORT', 'PROTOCOL', 'DIRECTION', 'ACTION', 'API'),
        Filter: fc.oneof(
          fc.record({ PeerIp: fc.string({ maxLength: 200 }), Port: fc.oneof(fc.integer({ min: -5, max: 70_000 }), fc.string()), Protocol: fc.integer({ min: -1, max: 300 }), Direction: fc.constantFrom('INBOUND', 'OUTBOUND', 'UNKNOWN', 'in'), Action: fc.constantFrom('ACCEPT', 'REJECT', 'DROP') }, { requiredKeys: [] }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(flow, async (body) => {
        const { status } = await answer('/graph/getFlowVolume', JSON.stringify(body));
        let valid = true;
        try {
          parseGetFlowVolume(body, { nowMillis: NOW, maxScopeDays: 30 });
        } catch {
          valid = false;
        }
        expect(status).toBe(valid ? 200 : 400);
      }),
      { numRuns: 300 },
    );
  });

  it('answer getNetworkReport 200 for valid requests, 404 for an unknown investigation and 400 for every invalid one', async () => {
    const report = fc.record(
      {
        InvestigationId: fc.oneof(fc.constantFrom(investigation.investigationId, '999999999999999999999', '12'), fc.string()),
        EntityType: fc.oneof(fc.constantFrom('EC2_INSTANCE', 'IP_ADDRESS'), fc.string()),
        EntityId: fc.oneof(fc.constantFrom('i-0123456789abcdef0', '139.180.133.61', 'i-XYZ'), fc.string({ maxLength: 100 })),
        ScopeStartTime: fc.constantFrom('2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'yesterday'),
        ScopeEndTime: fc.constantFrom('2026-01-01T05:00:00Z', '2025-12-31T00:00:00Z', '2026-03-01T00:00:00Z'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(report, async (body) => {
        const { status } = await answer('/graph/getNetworkReport', JSON.stringify(body));
        let expected = 200;
        try {
          const request = parseGetNetworkReport(body, { nowMillis: NOW, maxScopeDays: 30 });
          if ('investigationId' in request && request.investigationId !== investigation.investigationId) expected = 404;
        } catch {
          expected = 400;
        }
        expect(status).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('never answer 5xx to arbitrary text, tokens or encodings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string().map((t) => JSON.stringify({ NextToken: t, InvestigationId: '123456789012345678901' }))), async (path, body) => {
        const { status, length } = await answer(path, body);
        expect(status).toBeLessThan(500);
        if (status >= 400) expect(length).toBeLessThan(MAX_ERROR_BODY);
      }),
      { numRuns: 300 },
    );
  });

  it('answer the graph routes 200 or 4xx, never 5xx, whatever the entity type, id and scope', async () => {
    const time = fc.oneof(fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01T12:00:00Z', '2025-12-31T23:00:00Z', '1999-01-01T00:00:00Z', '2030-01-01T00:00:00Z'), fc.string());
    const id = fc.oneof(fc.constantFrom('arn:aws:iam::111122223333:role/Admin', 'arn:aws:iam::111122223333:user/alice', '198.51.100.7', '::1', 'i-0123456789abcdef0', 'ASIAEXAMPLEEXAMPLE12', '111122223333', 'my-bucket', 'aws-cli/2', 'sso-user#bob'), fc.string());
    const profile = fc.record({ EntityType: fc.oneof(fc.constantFrom(...GRAPH_ENTITY_TYPES), fc.string()), EntityId: id, ScopeStartTime: time, ScopeEndTime: time }, { requiredKeys: [] });
    const summary = fc.record({ ScopeStartTime: time, ScopeEndTime: time, HideServiceLinkedRoles: fc.oneof(fc.boolean(), fc.jsonValue()) }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(fc.oneof(profile.map((b) => ['/graph/getEntityProfile', b] as const), summary.map((b) => ['/graph/getSummary', b] as const)), async ([path, value]) => {
        const { status, length } = await answer(path, JSON.stringify(value));
        expect([200, 400, 404]).toContain(status);
        if (status >= 400) expect(length).toBeLessThan(MAX_ERROR_BODY);
      }),
      { numRuns: 400 },
    );
  });

  it('answer getPermissions 200 or 400, never 5xx, whatever the type, id and moment', async () => {
    const time = fc.oneof(fc.constantFrom('2026-01-01T00:00:00Z', '1999-01-01T00:00:00Z', '2030-01-01T00:00:00Z', '2026-01-01T25:61:61Z'), fc.string());
    const id = fc.oneof(fc.constantFrom('arn:aws:iam::111122223333:role/Admin', 'arn:aws:iam::111122223333:user/alice', 'Admin', 'arn:aws:sts::111122223333:assumed-role/Admin/s1'), fc.string(), fc.string({ unit: 'binary' }));
    const body = fc.record({ EntityType: fc.oneof(fc.constantFrom('IAM_ROLE', 'IAM_USER'), fc.string()), EntityId: id, AtTime: time }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const { status, length } = await answer('/graph/getPermissions', JSON.stringify(value));
        expect([200, 400]).toContain(status);
        if (status >= 400) expect(length).toBeLessThan(MAX_ERROR_BODY);
      }),
      { numRuns: 300 },
    );
  });

  it('answer listPermissionEvidence 200, 400 or 404, never 5xx, whatever the id, page size and token', async () => {
    const body = fc.record(
      {
        InvestigationId: fc.oneof(fc.constantFrom(investigation.investigationId, '000000000000000000042', '12345'), fc.string(), fc.integer()),
        MaxResults: fc.oneof(fc.integer({ min: -1, max: 51 }), fc.jsonValue()),
        NextToken: fc.oneof(fc.string(), fc.string({ unit: 'binary' })),
        GraphArn: fc.oneof(fc.constant('arn:aws:detective:us-east-1:111122223333:graph:0123456789abcdef0123456789abcdef'), fc.string()),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const { status, length } = await answer('/investigations/listPermissionEvidence', JSON.stringify(value));
        expect([200, 400, 404]).toContain(status);
        if (status >= 400) expect(length).toBeLessThan(MAX_ERROR_BODY);
      }),
      { numRuns: 300 },
    );
  });

  it('answer listIndicatorEvidence 400 or 404, never 5xx, whatever the type, kind, index, match and token', async () => {
    // The investigation exists but has no indicators: a valid request is a 404, any invalid one a 400.
    const body = fc.record(
      {
        InvestigationId: fc.oneof(fc.constantFrom(investigation.investigationId, '000000000000000000042'), fc.string()),
        IndicatorType: fc.oneof(fc.constantFrom('FLAGGED_IP_ADDRESS', 'TTP_OBSERVED', 'IMPOSSIBLE_TRAVEL'), fc.string()),
        EvidenceKind: fc.oneof(fc.constantFrom('EVENTS', 'FLOWS', 'flows', ''), fc.jsonValue({ maxDepth: 1 })),
        IndicatorIndex: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.jsonValue({ maxDepth: 1 })),
        Match: fc.oneof(fc.record({ IpAddress: fc.string() }), fc.jsonValue({ maxDepth: 1 })),
        MaxResults: fc.oneof(fc.integer({ min: -1, max: 51 }), fc.jsonValue()),
        NextToken: fc.string(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (value, csv) => {
        const result = await route(toProxyEvent({ method: 'POST', url: '/investigations/listIndicatorEvidence', headers: { 'content-type': 'application/json', ...(csv ? { accept: 'text/csv' } : {}) }, body: Buffer.from(JSON.stringify(value)), sourceIp: '127.0.0.1' }));
        expect([400, 404]).toContain(result.statusCode);
        expect(result.body.length).toBeLessThan(MAX_ERROR_BODY);
        // FLOWS is for a flagged address only, whatever else the body holds.
        if (value.EvidenceKind === 'FLOWS' && typeof value.IndicatorType === 'string' && value.IndicatorType !== 'FLAGGED_IP_ADDRESS') expect(result.statusCode).toBe(400);
      }),
      { numRuns: 300 },
    );
  });

  it('answer listFindings 200 or 400, never 5xx, whatever the scope, filters and token', async () => {
    const time = fc.oneof(fc.constantFrom('2026-01-01T00:00:00Z', '2025-12-01T00:00:00Z', '2025-01-01T00:00:00Z', '2030-01-01T00:00:00Z', '2026-01-01T25:61:61Z'), fc.string());
    const valueOf = (values: fc.Arbitrary<unknown>) => fc.oneof(fc.record({ Value: values }), fc.jsonValue({ maxDepth: 1 }));
    const filter = fc.record(
      { Severity: valueOf(fc.constantFrom('LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'low', '')), Type: valueOf(fc.oneof(fc.constantFrom('Recon:', 'Backdoor:EC2/'), fc.string({ maxLength: 300 }))), Outcome: valueOf(fc.constantFrom('STARTED', 'SKIPPED', 'PENDING', 'DONE')) },
      { requiredKeys: [] },
    );
    const body = fc.record(
      { ScopeStartTime: time, ScopeEndTime: time, MaxResults: fc.oneof(fc.integer({ min: -1, max: 101 }), fc.jsonValue()), NextToken: fc.string(), FilterCriteria: fc.oneof(filter, fc.jsonValue({ maxDepth: 1 })) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const { status, length } = await answer('/graph/listFindings', JSON.stringify(value));
        expect([200, 400]).toContain(status);
        if (status >= 400) expect(length).toBeLessThan(MAX_ERROR_BODY);
      }),
      { numRuns: 300 },
    );
  });
});
