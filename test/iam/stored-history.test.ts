import fc from 'fast-check';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IamStore } from '../../lambdas/adapters/iam-store';
import { iamChangesOf, parseAuthorizationDetails, stateAt } from '../../lambdas/core/iam';
import { changesPerEntity, decodeHistory, encodeHistory, historyAfter, iamHistorySubject, snapshotItems, snapshotOfItems, type IamHistoryItem } from '../../lambdas/core/iam/stored';
import type { IamChange } from '../../lambdas/core/iam';
import { ACCOUNT, ADMIN, createRole, iamEvent, trustDocument } from './iam-records';

/** Stored histories and snapshots: what the compaction writes, and the store's conditional writes. */
const role = 'Backdoored';
const events = [
  createRole(role),
  iamEvent('AttachRolePolicy', { roleName: role, policyArn: ADMIN }),
  iamEvent('UpdateAssumeRolePolicy', { roleName: role, policyDocument: trustDocument({ AWS: 'arn:aws:iam::444455556666:root' }) }),
  iamEvent('DetachRolePolicy', { roleName: role, policyArn: ADMIN }, { errorCode: 'AccessDenied' }),
];
const changes: IamChange[] = events.flatMap(iamChangesOf);
const entity = changes[0].Entity;

describe('historyAfter (what an hour merge writes)', () => {
  it('writes a new history, then nothing when the same events come again, in any order and split', () => {
    const first = historyAfter(undefined, changes);
    expect(first?.Changes.map((change) => change.EventId)).toEqual(events.map((event) => event.eventID));
    fc.assert(
      fc.property(fc.shuffledSubarray(changes), fc.shuffledSubarray(changes), (a, b) => {
        expect(historyAfter(first, [...a, ...b])).toBeUndefined();
      }),
    );
  });

  it('writes again only when a new event arrives, and the state follows it', () => {
    const first = historyAfter(undefined, changes.slice(0, 2))!;
    const next = historyAfter(first, changes);
    expect(next).toBeDefined();
    expect(stateAt(next!, '2027-01-01T00:00:00Z').ExternalPrincipals.map((p) => p.AccountId)).toEqual(['444455556666']);
  });

  it('groups an hour’s changes per entity, each eventID once (a duplicate delivery)', () => {
    const grouped = changesPerEntity([...changes, ...changes, ...iamChangesOf(iamEvent('AddUserToGroup', { userName: 'u', groupName: 'g' }))]);
    expect([...grouped.keys()].sort()).toEqual([`${ACCOUNT}#GROUP#g`, `${ACCOUNT}#ROLE#backdoored`, `${ACCOUNT}#USER#u`]);
    expect(grouped.get(`${ACCOUNT}#ROLE#backdoored`)?.changes).toHaveLength(changes.length);
  });

  it('encodes a history losslessly', () => {
    const history = historyAfter(undefined, changes)!;
    expect(decodeHistory(encodeHistory(history))).toEqual(history);
  });
});

describe('snapshot items', () => {
  const output = {
    RoleDetailList: Array.from({ length: 60 }, (_, i) => ({ RoleName: `role-${i}`, Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:role/role-${i}`, AssumeRolePolicyDocument: trustDocument({ Service: 'ec2.amazonaws.com' }), RolePolicyList: [{ PolicyName: 'p', PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: `s3:${i}`, Resource: '*' }] }) }], AttachedManagedPolicies: [] })),
    UserDetailList: [],
    GroupDetailList: [],
    Policies: [],
  };
  const snapshot = parseAuthorizationDetails(output, { time: '2026-10-22T09:00:00Z' });

  it('splits into chunks and reads back the same snapshot', () => {
    const items = snapshotItems(snapshot, 512);
    expect(items.length).toBeGreaterThan(2);
    expect(items.every((item) => item.body.length <= 512)).toBe(true);
    expect(new Set(items.map((item) => item.slot)).size).toBe(items.length);
    const back = snapshotOfItems([...items].reverse())!;
    expect(back.Entities).toEqual(snapshot.Entities);
    expect(back.CompleteTypes).toEqual(snapshot.CompleteTypes);
  });

  it('is not read while a chunk is missing', () => {
    const items = snapshotItems(snapshot, 512);
    expect(snapshotOfItems(items.slice(1))).toBeUndefined();
    expect(snapshotOfItems(items.slice(0, -1))).toBeUndefined();
  });
});

describe('IamStore (DynamoDB calls mocked)', () => {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const mock = mockClient(documents);
  afterEach(() => mock.reset());
  const store = new IamStore(documents, 'Activity');

  it('conditions its write on the version read, and merges again after a concurrent writer', async () => {
    const theirs = historyAfter(undefined, changes.slice(0, 1))!;
    const stored: IamHistoryItem = { subject: iamHistorySubject(entity), slot: 'history', accountId: ACCOUNT, entityType: 'ROLE', body: encodeHistory(theirs), version: 3, changes: 1 };
    mock.on(GetCommand).resolvesOnce({ Item: undefined }).resolves({ Item: stored });
    const conflict = Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' });
    mock.on(PutCommand).rejectsOnce(conflict).resolves({});
    expect(await store.mergeChanges(entity, changes)).toBe('written');
    const puts = mock.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts[0].ConditionExpression).toBe('attribute_not_exists(subject)');
    expect(puts[1]).toMatchObject({ ConditionExpression: '#v = :v', ExpressionAttributeValues: { ':v': 3 } });
    expect((puts[1].Item as IamHistoryItem).version).toBe(4);
    expect(decodeHistory((puts[1].Item as IamHistoryItem).body).Changes).toHaveLength(changes.length);
  });

  it('folding past the retention an entity older than the logs: the checkpoint takes in the account snapshot before it', async () => {
    // A role whose creation is not in the logs: an attachment, then (after the retention's start) a detachment.
    const old = iamEvent('AttachRolePolicy', { roleName: 'Legacy', policyArn: ADMIN }, { eventTime: '2026-10-22T10:00:00Z' });
    const recent = iamEvent('DetachRolePolicy', { roleName: 'Legacy', policyArn: ADMIN }, { eventTime: '2026-10-22T12:00:00Z' });
    const legacy = iamChangesOf(old)[0].Entity;
    const snapshot = parseAuthorizationDetails(
      { RoleDetailList: [{ RoleName: 'Legacy', Arn: `arn:aws:iam::${ACCOUNT}:role/Legacy`, AssumeRolePolicyDocument: trustDocument({ Service: 'ec2.amazonaws.com' }), AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }] },
      { time: '2026-10-22T09:00:00Z' },
    );
    const items = snapshotItems(snapshot);
    mock.on(GetCommand).resolves({ Item: undefined });
    mock.on(QueryCommand).callsFake((input: { ScanIndexForward?: boolean }) => ({ Items: input.ScanIndexForward === false ? [items.at(-1)] : items }));
    mock.on(PutCommand).resolves({});
    expect(await store.mergeChanges(legacy, [...iamChangesOf(old), ...iamChangesOf(recent)], { retainedFrom: '2026-10-22T11:00:00Z' })).toBe('written');
    const written = decodeHistory((mock.commandCalls(PutCommand)[0].args[0].input.Item as IamHistoryItem).body);
    expect(written.Baselines).toMatchObject([{ Source: 'CHECKPOINT', FoldReason: 'RETENTION', Coverage: 'FULL', Time: '2026-10-22T10:00:00Z' }]);
    // The snapshot's ReadOnlyAccess and the logged AdministratorAccess, both known at the checkpoint; then the detachment.
    expect(stateAt(written, '2026-10-22T10:30:00Z').AttachedPolicies.map((p) => p.PolicyArn).sort()).toEqual([ADMIN, 'arn:aws:iam::aws:policy/ReadOnlyAccess'].sort());
    expect(stateAt(written, '2026-10-22T12:00:00Z')).toMatchObject({ Coverage: 'FULL', AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] });
    expect(mock.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ ScanIndexForward: false, Limit: 1 });
  });

  it('writes nothing when the stored history already holds the changes', async () => {
    const full = historyAfter(undefined, changes)!;
    mock.on(GetCommand).resolves({ Item: { subject: iamHistorySubject(entity), slot: 'history', body: encodeHistory(full), version: 1 } });
    expect(await store.mergeChanges(entity, changes)).toBe('unchanged');
    expect(mock.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('takes the latest complete snapshot at or before the moment, passing over one still being written', async () => {
    const snapshot = parseAuthorizationDetails({ RoleDetailList: [{ RoleName: 'r', Arn: `arn:aws:iam::${ACCOUNT}:role/r` }] }, { time: '2026-10-22T08:00:00Z' });
    const older = snapshotItems(snapshot, 64);
    const newer = snapshotItems({ ...snapshot, Time: '2026-10-22T09:00:00Z' }, 64);
    mock
      .on(QueryCommand)
      .callsFake((input: { ScanIndexForward?: boolean; ExclusiveStartKey?: unknown; ExpressionAttributeValues: Record<string, string> }) => {
        if (input.ScanIndexForward === false) return { Items: [input.ExclusiveStartKey ? older.at(-1) : newer.at(-1)] };
        const prefix = input.ExpressionAttributeValues[':t'];
        return { Items: prefix.startsWith('2026-10-22T09') ? newer.slice(1) : older };
      });
    const found = await store.snapshotAt(ACCOUNT, '2026-10-22T10:00:00Z');
    expect(found?.Time).toBe('2026-10-22T08:00:00Z');
    const first = mock.commandCalls(QueryCommand)[0].args[0].input;
    expect(first).toMatchObject({ KeyConditionExpression: 'subject = :s AND slot <= :b', ScanIndexForward: false, Limit: 1 });
  });
});
