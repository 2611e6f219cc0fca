import {
  GetInvestigationCommand,
  InternalServerException,
  ListIndicatorsCommand,
  ListInvestigationsCommand,
  ResourceNotFoundException,
  StartInvestigationCommand,
  UpdateInvestigationStateCommand,
  ValidationException,
  type InvestigationDetail,
  type ListInvestigationsCommandInput,
} from '@aws-sdk/client-detective';
import type { Indicator } from '../../lambdas/core/investigation/model';
import { GRAPH_ARN, ROLE_ARN, USER_ARN, hoursAgo, startHarness, type Harness } from './harness';

/**
 * The API through real HTTP with the official Detective client: what existing Detective scripts do.
 * One embedded DynamoDB for the file; each test creates the investigations it asserts on.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(entityArn: string, scope = { from: hoursAgo(6), to: hoursAgo(1) }): Promise<string> {
  const { InvestigationId } = await h.detective.send(new StartInvestigationCommand({ GraphArn: GRAPH_ARN, EntityArn: entityArn, ScopeStartTime: scope.from, ScopeEndTime: scope.to }));
  // Distinct creation milliseconds keep the CREATED_TIME assertions exact.
  await sleep(3);
  return InvestigationId!;
}

async function listAll(input: Omit<ListInvestigationsCommandInput, 'GraphArn'>): Promise<{ details: InvestigationDetail[]; pages: number }> {
  const details: InvestigationDetail[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await h.detective.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN, ...input, NextToken: token }));
    details.push(...(page.InvestigationDetails ?? []));
    token = page.NextToken;
    pages++;
  } while (token);
  return { details, pages };
}

describe('StartInvestigation and GetInvestigation', () => {
  it('creates a RUNNING investigation, starts its execution, and returns Detective fields with parsed dates', async () => {
    const from = new Date('2026-01-10T08:00:00.250Z');
    const to = new Date('2026-01-11T08:00:00Z');
    const id = await start(ROLE_ARN, { from, to });
    expect(id).toMatch(/^[0-9]{21}$/);
    expect(h.runner.started.at(-1)).toEqual({ investigationId: id, entityArn: ROLE_ARN, entityType: 'IAM_ROLE', scopeStartTime: from.toISOString(), scopeEndTime: to.toISOString() });

    const got = await h.detective.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId: id }));
    expect(got).toMatchObject({ GraphArn: GRAPH_ARN, InvestigationId: id, EntityArn: ROLE_ARN, EntityType: 'IAM_ROLE', Status: 'RUNNING', State: 'ACTIVE', Severity: 'INFORMATIONAL' });
    expect(got.ScopeStartTime).toEqual(from);
    expect(got.ScopeEndTime).toEqual(to);
    expect(got.CreatedTime).toBeInstanceOf(Date);
    expect(Math.abs(got.CreatedTime!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(got.$metadata.httpStatusCode).toBe(200);
    expect(got.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows the result the state machine records, and derives IAM_USER from a user ARN', async () => {
    const id = await start(USER_ARN);
    expect(h.runner.started.at(-1)?.entityType).toBe('IAM_USER');
    await h.runner.complete(id, 'HIGH');
    const got = await h.detective.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId: id }));
    expect(got).toMatchObject({ EntityType: 'IAM_USER', Status: 'SUCCESSFUL', Severity: 'HIGH' });
  });

  it('records a failed run as FAILED', async () => {
    const id = await start(ROLE_ARN);
    await h.store.failInvestigation(id, 'Athena query timed out');
    const got = await h.detective.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId: id }));
    expect(got.Status).toBe('FAILED');
    expect((await h.store.getInvestigation(id))?.failureReason).toBe('Athena query timed out');
  });

  it('marks the investigation FAILED and answers InternalServerException when the state machine cannot start', async () => {
    h.runner.failWith = new Error('states unavailable');
    try {
      const error = await h.detective.send(new StartInvestigationCommand({ GraphArn: GRAPH_ARN, EntityArn: ROLE_ARN, ScopeStartTime: hoursAgo(2), ScopeEndTime: hoursAgo(1) })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InternalServerException);
    } finally {
      h.runner.failWith = undefined;
    }
    const { details } = await listAll({ FilterCriteria: { Status: { Value: 'FAILED' }, EntityArn: { Value: ROLE_ARN } } });
    expect(details.length).toBeGreaterThanOrEqual(1);
  });
});

describe('ListInvestigations', () => {
  const entity = 'arn:aws:iam::444455556666:role/ListTarget';
  const severities = ['LOW', 'CRITICAL', 'MEDIUM', 'HIGH', 'LOW', 'INFORMATIONAL', 'CRITICAL'] as const;
  const ids: string[] = [];
  let createdBetween: { from: Date; to: Date };

  beforeAll(async () => {
    for (const [i, severity] of severities.entries()) {
      if (i === 3) createdBetween = { from: new Date(), to: new Date() };
      const id = await start(entity);
      ids.push(id);
      if (i === 5) createdBetween.to = new Date();
      // The last one stays RUNNING (and INFORMATIONAL) like an analysis still under way.
      if (i < severities.length - 1) await h.runner.complete(id, severity);
    }
  });

  const mine = { EntityArn: { Value: entity } };

  it('lists newest first by default, page by page through opaque tokens, without repeats', async () => {
    const { details, pages } = await listAll({ FilterCriteria: mine, MaxResults: 2 });
    expect(details.map((d) => d.InvestigationId)).toEqual([...ids].reverse());
    expect(pages).toBe(4);
    expect(details[0].CreatedTime).toBeInstanceOf(Date);
    expect(details[0]).toMatchObject({ EntityArn: entity, EntityType: 'IAM_ROLE', State: 'ACTIVE' });
  });

  it('sorts by CREATED_TIME ascending', async () => {
    const { details } = await listAll({ FilterCriteria: mine, SortCriteria: { Field: 'CREATED_TIME', SortOrder: 'ASC' }, MaxResults: 3 });
    expect(details.map((d) => d.InvestigationId)).toEqual(ids);
  });

  it('sorts by SEVERITY (by gravity, ties newest first) across pages', async () => {
    const { details } = await listAll({ FilterCriteria: mine, SortCriteria: { Field: 'SEVERITY', SortOrder: 'DESC' }, MaxResults: 2 });
    const expected = ids
      .map((id, i) => ({ id, i, rank: ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].indexOf(i === 6 ? 'INFORMATIONAL' : severities[i]) }))
      .sort((a, b) => b.rank - a.rank || b.i - a.i)
      .map((x) => x.id);
    expect(details.map((d) => d.InvestigationId)).toEqual(expected);
    const ascending = await listAll({ FilterCriteria: mine, SortCriteria: { Field: 'SEVERITY', SortOrder: 'ASC' }, MaxResults: 3 });
    expect(ascending.details[0].Severity).toBe('INFORMATIONAL');
    expect(ascending.details.at(-1)?.Severity).toBe('CRITICAL');
  });

  it('sorts by STATUS', async () => {
    const { details } = await listAll({ FilterCriteria: mine, SortCriteria: { Field: 'STATUS', SortOrder: 'ASC' }, MaxResults: 4 });
    expect(details.map((d) => d.Status)).toEqual(['RUNNING', ...Array(6).fill('SUCCESSFUL')]);
  });

  it('filters by Severity, Status and CreatedTime', async () => {
    const critical = await listAll({ FilterCriteria: { ...mine, Severity: { Value: 'CRITICAL' } }, MaxResults: 1 });
    // The second CRITICAL one (index 6) is still RUNNING, hence INFORMATIONAL.
    expect(critical.details.map((d) => d.InvestigationId)).toEqual([ids[1]]);
    const running = await listAll({ FilterCriteria: { ...mine, Status: { Value: 'RUNNING' } } });
    expect(running.details.map((d) => d.InvestigationId)).toEqual([ids[6]]);
    const window = await listAll({ FilterCriteria: { ...mine, CreatedTime: { StartInclusive: createdBetween.from, EndInclusive: createdBetween.to } } });
    expect(window.details.map((d) => d.InvestigationId)).toEqual([ids[5], ids[4], ids[3]]);
  });

  it('rejects a token that was tampered with, or reused with other parameters', async () => {
    const first = await h.detective.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN, FilterCriteria: mine, MaxResults: 2 }));
    expect(first.NextToken).toBeDefined();
    const tampered = `${first.NextToken!.slice(0, -4)}AAAA`;
    await expect(h.detective.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN, FilterCriteria: mine, MaxResults: 2, NextToken: tampered }))).rejects.toBeInstanceOf(ValidationException);
    await expect(h.detective.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN, FilterCriteria: mine, MaxResults: 2, NextToken: 'not a token' }))).rejects.toBeInstanceOf(ValidationException);
    const reused = h.detective.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN, FilterCriteria: { ...mine, Severity: { Value: 'LOW' } }, NextToken: first.NextToken }));
    await expect(reused).rejects.toThrow(/keep all other arguments unchanged/);
    // A CREATED_TIME token is not a SEVERITY position either.
    await expect(h.detective.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN, FilterCriteria: mine, SortCriteria: { Field: 'SEVERITY' }, NextToken: first.NextToken }))).rejects.toBeInstanceOf(ValidationException);
  });

  it('rejects bad filter values and page sizes', async () => {
    for (const input of [
      { MaxResults: 0 },
      { MaxResults: 101 },
      { FilterCriteria: { Severity: { Value: 'SEVERE' } } },
      { SortCriteria: { Field: 'NAME' as never } },
      { FilterCriteria: { CreatedTime: { StartInclusive: new Date('2026-02-01'), EndInclusive: new Date('2026-01-01') } } },
    ]) {
      await expect(h.detective.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN, ...input }))).rejects.toBeInstanceOf(ValidationException);
    }
  });
});

describe('ListIndicators', () => {
  let id: string;
  const ttp = (i: number): Indicator => ({ IndicatorType: 'TTP_OBSERVED', IndicatorDetail: { TTPsObservedDetail: { Tactic: 'Discovery', Technique: `T1087.00${i}`, APIName: `ListUsers${i}`, APISuccessCount: i, APIFailureCount: 0, IpAddress: '198.51.100.7' } } });
  const geo = (i: number): Indicator => ({ IndicatorType: 'NEW_GEOLOCATION', IndicatorDetail: { NewGeolocationDetail: { Location: `City ${i}`, IpAddress: `203.0.113.${i}`, IsNewForEntireAccount: i % 2 === 0 } } });
  const indicators: Indicator[] = [ttp(1), geo(1), ttp(2), ttp(3), geo(2), { IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorDetail: { FlaggedIpAddressDetail: { IpAddress: '192.0.2.66', Reason: 'AWS_THREAT_INTELLIGENCE' } } }, ttp(4), geo(3), ttp(5)];

  beforeAll(async () => {
    id = await start(ROLE_ARN);
    await h.runner.complete(id, 'MEDIUM', indicators);
    // The stage retried: same list, same keys, no duplicates.
    await h.store.putIndicators(id, indicators);
  });

  async function collect(indicatorType: Indicator['IndicatorType'] | undefined, pageSize: number): Promise<{ all: Indicator[]; pages: number }> {
    const all: Indicator[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await h.detective.send(new ListIndicatorsCommand({ GraphArn: GRAPH_ARN, InvestigationId: id, IndicatorType: indicatorType, MaxResults: pageSize, NextToken: token }));
      expect(page.InvestigationId).toBe(id);
      expect(page.GraphArn).toBe(GRAPH_ARN);
      all.push(...((page.Indicators ?? []) as Indicator[]));
      token = page.NextToken;
      pages++;
    } while (token);
    return { all, pages };
  }

  it('pages through every indicator exactly once', async () => {
    const { all, pages } = await collect(undefined, 2);
    expect(pages).toBe(5);
    expect(all).toHaveLength(indicators.length);
    expect(all).toEqual(expect.arrayContaining(indicators));
  });

  it('filters by type, in the order they were written', async () => {
    const { all, pages } = await collect('NEW_GEOLOCATION', 2);
    expect(all).toEqual([geo(1), geo(2), geo(3)]);
    expect(pages).toBe(2);
    const exact = await collect('TTP_OBSERVED', 5);
    expect(exact.pages).toBe(1); // no trailing empty page when the last page is full
    expect(exact.all).toEqual([ttp(1), ttp(2), ttp(3), ttp(4), ttp(5)]);
    expect((await collect('NEW_ASO', 10)).all).toEqual([]);
  });

  it('rejects a token of another type filter or investigation, and unknown investigations', async () => {
    const page = await h.detective.send(new ListIndicatorsCommand({ GraphArn: GRAPH_ARN, InvestigationId: id, IndicatorType: 'TTP_OBSERVED', MaxResults: 1 }));
    await expect(h.detective.send(new ListIndicatorsCommand({ GraphArn: GRAPH_ARN, InvestigationId: id, IndicatorType: 'NEW_GEOLOCATION', NextToken: page.NextToken }))).rejects.toBeInstanceOf(ValidationException);
    const missing = h.detective.send(new ListIndicatorsCommand({ GraphArn: GRAPH_ARN, InvestigationId: '000000000000000000001' }));
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(h.detective.send(new ListIndicatorsCommand({ GraphArn: GRAPH_ARN, InvestigationId: id, IndicatorType: 'BAD_TYPE' as never }))).rejects.toBeInstanceOf(ValidationException);
  });
});

describe('UpdateInvestigationState', () => {
  it('archives and reactivates an investigation', async () => {
    const id = await start(ROLE_ARN);
    const updated = await h.detective.send(new UpdateInvestigationStateCommand({ GraphArn: GRAPH_ARN, InvestigationId: id, State: 'ARCHIVED' }));
    expect(updated.$metadata.httpStatusCode).toBe(200);
    expect((await h.detective.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId: id }))).State).toBe('ARCHIVED');
    const archived = await listAll({ FilterCriteria: { State: { Value: 'ARCHIVED' } } });
    expect(archived.details.map((d) => d.InvestigationId)).toContain(id);
    await h.detective.send(new UpdateInvestigationStateCommand({ GraphArn: GRAPH_ARN, InvestigationId: id, State: 'ACTIVE' }));
    expect((await h.detective.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId: id }))).State).toBe('ACTIVE');
  });

  it('answers ResourceNotFoundException for an unknown id and ValidationException for a bad state', async () => {
    const missing = await h.detective.send(new UpdateInvestigationStateCommand({ GraphArn: GRAPH_ARN, InvestigationId: '999999999999999999999', State: 'ARCHIVED' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as ResourceNotFoundException).message).toBe('Investigation 999999999999999999999 does not exist.');
    expect((missing as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    await expect(h.detective.send(new UpdateInvestigationStateCommand({ GraphArn: GRAPH_ARN, InvestigationId: '999999999999999999999', State: 'CLOSED' as never }))).rejects.toBeInstanceOf(ValidationException);
  });
});

describe('validation errors surface as typed exceptions', () => {
  const startWith = (input: Partial<{ GraphArn: string; EntityArn: string; ScopeStartTime: Date; ScopeEndTime: Date }>) =>
    h.detective.send(new StartInvestigationCommand({ GraphArn: GRAPH_ARN, EntityArn: ROLE_ARN, ScopeStartTime: hoursAgo(5), ScopeEndTime: hoursAgo(1), ...input })).catch((e: unknown) => e);

  it('rejects entities that are not IAM roles or users', async () => {
    for (const EntityArn of ['arn:aws:sts::111122223333:assumed-role/Admin/alice', 'arn:aws:s3:::bucket', 'arn:aws:iam::1111:role/Short', 'Admin']) {
      const error = await startWith({ EntityArn });
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).message).toContain("at 'EntityArn'");
      expect((error as ValidationException).ErrorCode).toBe('INVALID_REQUEST_BODY');
    }
  });

  it('rejects a scope that ends before it starts, is too long, or starts in the future', async () => {
    const backwards = await startWith({ ScopeStartTime: hoursAgo(1), ScopeEndTime: hoursAgo(2) });
    expect((backwards as ValidationException).message).toContain('ScopeEndTime must be later than ScopeStartTime');
    const tooLong = await startWith({ ScopeStartTime: hoursAgo(24 * 31), ScopeEndTime: hoursAgo(0) });
    expect((tooLong as ValidationException).message).toContain('must not exceed 30 days');
    const future = await startWith({ ScopeStartTime: new Date(Date.now() + 3_600_000), ScopeEndTime: new Date(Date.now() + 7_200_000) });
    expect(future).toBeInstanceOf(ValidationException);
  });

  it('reports a bad GraphArn with INVALID_GRAPH_ARN', async () => {
    const error = await startWith({ GraphArn: 'arn:aws:detective:us-east-1:111122223333:graph:nothex' });
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).ErrorCode).toBe('INVALID_GRAPH_ARN');
  });

  it('rejects malformed and unknown investigation ids', async () => {
    const malformed = await h.detective.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId: 'abc' })).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(ValidationException);
    expect((malformed as ValidationException).message).toMatch(/^2 validation errors detected: .*InvestigationId/);
    const unknown = await h.detective.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId: '123456789012345678901' })).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
  });

  it('works without a GraphArn (one deployment is one graph)', async () => {
    const { InvestigationId } = await h.detective.send(new StartInvestigationCommand({ GraphArn: undefined, EntityArn: ROLE_ARN, ScopeStartTime: hoursAgo(3), ScopeEndTime: hoursAgo(2) }));
    const got = await h.detective.send(new GetInvestigationCommand({ GraphArn: undefined, InvestigationId }));
    expect(got.GraphArn).toBeUndefined();
    expect(got.InvestigationId).toBe(InvestigationId);
  });
});
