import { Readable } from 'node:stream';
import { GetAccountAuthorizationDetailsCommand, IAMClient, type GetAccountAuthorizationDetailsCommandOutput } from '@aws-sdk/client-iam';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { AUTHORIZATION_DETAILS_FILTER, iamSnapshotClient } from '../../lambdas/adapters/iam-authorization-details';
import { IamStore } from '../../lambdas/adapters/iam-store';
import { snapshotBaseline } from '../../lambdas/core/iam/snapshot';
import { snapshotOfItems, type IamSnapshotItem } from '../../lambdas/core/iam/stored';
import { accountIdFromEnv, buildIamSnapshotHandler } from '../../lambdas/iam-snapshot/handler';
import type { IamSnapshotDependencies } from '../../lambdas/iam-snapshot/take-snapshot';
import { fakeContext } from '../logging/capture';
import type { ScheduledEvent } from 'aws-lambda';

const ACCOUNT = '111122223333';
const TABLE = 'Activity';
const NOW = new Date('2026-12-01T03:00:00Z');
const scheduled = { id: 'schedule-event-1', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as unknown as ScheduledEvent;

const trust = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::193672423079:root' }, Action: 'sts:AssumeRole' }] }));
const role = (name: string) => ({ RoleName: name, Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, CreateDate: new Date('2026-01-01T00:00:00Z'), AssumeRolePolicyDocument: trust, RolePolicyList: [], AttachedManagedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] });
const user = (name: string, groups: string[]) => ({ UserName: name, Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, GroupList: groups, UserPolicyList: [], AttachedManagedPolicies: [] });
const group = (name: string) => ({ GroupName: name, Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:group/${name}`, GroupPolicyList: [], AttachedManagedPolicies: [] });
const policy = (name: string) => ({ PolicyName: name, Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`, DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: encodeURIComponent('{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}') }] });

/** Three pages, as IAM returns them: each list spread over the pages, markers in between. */
const PAGES: GetAccountAuthorizationDetailsCommandOutput[] = [
  { $metadata: {}, RoleDetailList: [role('stratus-red-team-backdoor-r-role'), role('app')], UserDetailList: [user('alice', ['admins'])], GroupDetailList: [], Policies: [], IsTruncated: true, Marker: 'm1' },
  { $metadata: {}, RoleDetailList: [role('ci')], UserDetailList: [user('malicious-iam-user', [])], GroupDetailList: [group('admins')], Policies: [policy('boundary')], IsTruncated: true, Marker: 'm2' },
  { $metadata: {}, RoleDetailList: [], UserDetailList: [user('bob', ['admins'])], GroupDetailList: [], Policies: [policy('s3-read')], IsTruncated: false },
];

/**
 * The store over a mocked DynamoDB client that keeps the written items and answers the two key Queries
 * `IamStore.snapshotAt` makes (latest slot at or before a bound, newest first; then one snapshot's chunks).
 */
function setup(iamClient: IAMClient = new IAMClient({ region: 'us-east-1' }), now = NOW) {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const table: IamSnapshotItem[] = [];
  dynamo.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, Array<{ PutRequest?: { Item: IamSnapshotItem } }>> }) => {
    for (const request of input.RequestItems[TABLE] ?? []) if (request.PutRequest) table.push(request.PutRequest.Item);
    return { UnprocessedItems: {} };
  });
  dynamo.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues as Record<string, string>;
    let rows = table.filter((item) => item.subject === values[':s']);
    if (values[':t'] !== undefined) return { Items: rows.filter((item) => item.slot.startsWith(values[':t'])) };
    const after = (input.ExclusiveStartKey as { slot?: string } | undefined)?.slot;
    rows = rows.filter((item) => item.slot <= values[':b'] && (after === undefined || item.slot < after)).sort((a, b) => b.slot.localeCompare(a.slot));
    return { Items: rows.slice(0, input.Limit ?? rows.length) };
  });
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const store = new IamStore(documentClient, TABLE);
  const deps: IamSnapshotDependencies = { iam: iamClient, store, accountId: ACCOUNT, now: () => now };
  const stored = () => dynamo.commandCalls(BatchWriteCommand).flatMap((call) => (call.args[0].input.RequestItems?.[TABLE] ?? []).map((request) => request.PutRequest?.Item as IamSnapshotItem));
  return { dynamo, deps, store, table, stored, handler: buildIamSnapshotHandler(deps) };
}

describe('scheduled IAM snapshot handler', () => {
  // mockClient stubs every IAMClient's send: restored before the tests that go through the real SDK stack.
  const iam = mockClient(IAMClient);
  afterEach(() => iam.reset());
  afterAll(() => iam.restore());

  it('reads every page (Marker after IsTruncated, every filter) and stores one complete snapshot of all of them', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolvesOnce(PAGES[0]).resolvesOnce(PAGES[1]).resolvesOnce(PAGES[2]);
    const { handler, stored, dynamo } = setup();
    const outcome = await handler(scheduled, fakeContext('req-pages'));

    const calls = iam.commandCalls(GetAccountAuthorizationDetailsCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Marker)).toEqual([undefined, 'm1', 'm2']);
    for (const input of calls) expect([...(input.Filter ?? [])].sort()).toEqual([...AUTHORIZATION_DETAILS_FILTER].sort());

    // Independent count: the entries of the pages' four lists.
    const expected = PAGES.flatMap((page) => [
      ...(page.RoleDetailList ?? []).map((r) => `ROLE#${r.RoleName!.toLowerCase()}`),
      ...(page.UserDetailList ?? []).map((u) => `USER#${u.UserName!.toLowerCase()}`),
      ...(page.GroupDetailList ?? []).map((g) => `GROUP#${g.GroupName!.toLowerCase()}`),
      ...(page.Policies ?? []).map((p) => `POLICY#${p.PolicyName!.toLowerCase()}`),
    ]);
    expect(outcome).toMatchObject({ accountId: ACCOUNT, time: NOW.toISOString(), pages: 3, entities: expected.length });
    expect(dynamo.commandCalls(BatchWriteCommand).length).toBeGreaterThan(0);
    const items = stored();
    expect(items.every((item) => item.subject === `iam-snapshot#${ACCOUNT}`)).toBe(true);
    const snapshot = snapshotOfItems(items);
    expect(snapshot).toBeDefined();
    expect([...snapshot!.Entities.keys()].map((key) => key.replace(`${ACCOUNT}#`, '')).sort()).toEqual(expected.sort());
    expect([...snapshot!.CompleteTypes].sort()).toEqual(['GROUP', 'POLICY', 'ROLE', 'USER']);
    // Members of a group listed on page 2 come from users of pages 1 and 3; dates arrive as ISO strings.
    const admins = snapshot!.Entities.get(`${ACCOUNT}#GROUP#admins`)!.State;
    expect([...(admins.Members ?? [])].sort()).toEqual(['alice', 'bob']);
    const backdoor = snapshot!.Entities.get(`${ACCOUNT}#ROLE#stratus-red-team-backdoor-r-role`)!.State;
    expect(backdoor.CreatedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(backdoor.AttachedPolicies).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(JSON.stringify(backdoor.TrustPolicy)).toContain('193672423079');
  });

  it('stores nothing when a page fails mid-way, and fails the run (Lambda retries it, then the dead-letter queue)', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolvesOnce(PAGES[0]).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const { handler, dynamo } = setup();
    await expect(handler(scheduled, fakeContext('req-fail'))).rejects.toThrow('Rate exceeded');
    expect(iam.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('is the baseline readers find: FULL for the entities it lists and for those it does not; a later failed run leaves it in use', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolvesOnce(PAGES[0]).resolvesOnce(PAGES[1]).resolvesOnce(PAGES[2]);
    const first = setup();
    await first.handler(scheduled, fakeContext('req-first'));
    const later = new Date(NOW.getTime() + 86_400_000);
    const snapshot = await first.store.snapshotAt(ACCOUNT, later.toISOString());
    expect(snapshot?.Time).toBe(NOW.toISOString());
    expect(await first.store.snapshotAt(ACCOUNT, new Date(NOW.getTime() - 1000).toISOString())).toBeUndefined();
    const listed = snapshotBaseline(snapshot!, { AccountId: ACCOUNT, Type: 'ROLE', Name: 'stratus-red-team-backdoor-r-role' });
    expect(listed).toMatchObject({ Source: 'SNAPSHOT', Coverage: 'FULL', State: { Exists: true, AttachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] } });
    expect(snapshotBaseline(snapshot!, { AccountId: ACCOUNT, Type: 'ROLE', Name: 'never-existed' })).toMatchObject({ Coverage: 'FULL', State: { Exists: false } });

    // The next day's run fails on its second page: the table still answers with the first day's snapshot.
    iam.reset();
    iam.on(GetAccountAuthorizationDetailsCommand).resolvesOnce(PAGES[0]).rejectsOnce(new Error('ServiceFailure'));
    const writesBefore = first.table.length;
    const second = buildIamSnapshotHandler({ ...first.deps, now: () => later });
    await expect(second(scheduled, fakeContext('req-second'))).rejects.toThrow('ServiceFailure');
    expect(first.table).toHaveLength(writesBefore);
    expect((await first.store.snapshotAt(ACCOUNT, new Date(later.getTime() + 1000).toISOString()))?.Time).toBe(NOW.toISOString());
  });

  it('stores nothing when a truncated page has no marker, or the same marker comes back', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolvesOnce({ ...PAGES[0], Marker: undefined });
    const first = setup();
    await expect(first.handler(scheduled, fakeContext('req-nomarker'))).rejects.toThrow('no Marker');
    expect(first.dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);

    iam.reset();
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(PAGES[0]);
    const second = setup();
    await expect(second.handler(scheduled, fakeContext('req-loop'))).rejects.toThrow('same Marker');
    expect(second.dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('refuses an account id that is not 12 digits', () => {
    expect(() => accountIdFromEnv({})).toThrow('IAM_SNAPSHOT_ACCOUNT_ID');
    expect(() => accountIdFromEnv({ IAM_SNAPSHOT_ACCOUNT_ID: '1234' })).toThrow('12-digit');
    expect(accountIdFromEnv({ IAM_SNAPSHOT_ACCOUNT_ID: ACCOUNT })).toBe(ACCOUNT);
  });
});

/** IAM's query-protocol answers, as the SDK receives them over HTTP. */
const THROTTLED = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>`;
const ONE_PAGE = `<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated>
<RoleDetailList><member><RoleName>app</RoleName><Path>/</Path><Arn>arn:aws:iam::${ACCOUNT}:role/app</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${trust}</AssumeRolePolicyDocument><RolePolicyList/><AttachedManagedPolicies/></member></RoleDetailList>
<UserDetailList/><GroupDetailList/><Policies/></GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>`;

describe('scheduled IAM snapshot over IAM throttling (the SDK client the function uses)', () => {
  it('retries a Throttling answer and stores the snapshot of the retried page', async () => {
    const answers = [{ status: 400, body: THROTTLED }, { status: 200, body: ONE_PAGE }];
    const requests: string[] = [];
    const client = iamSnapshotClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: {
        handle: async (request: { body?: string }) => {
          requests.push(String(request.body));
          const answer = answers.shift();
          if (!answer) throw new Error('more requests than answers');
          return { response: { statusCode: answer.status, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(answer.body)]) } };
        },
      } as never,
    });
    // Adaptive: the client also slows its own request rate after a throttle, across the run's pages.
    const mode = client.config.retryMode;
    expect(typeof mode === 'string' ? mode : await mode()).toBe('adaptive');
    const { handler, stored } = setup(client);
    const outcome = await handler(scheduled, fakeContext('req-throttle'));
    expect(requests).toHaveLength(2);
    expect(requests[1]).toContain('Action=GetAccountAuthorizationDetails');
    expect(outcome).toMatchObject({ pages: 1, entities: 1 });
    expect([...snapshotOfItems(stored())!.Entities.keys()]).toEqual([`${ACCOUNT}#ROLE#app`]);
  }, 20_000);
});
