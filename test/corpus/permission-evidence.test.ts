/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, each validated against the OpenAPI schemas in post() */
import { buildLocalApi } from '../../local/http/server';
import { evidenceLines } from '../../local/graph-commands';
import { expectSchema } from '../helpers/openapi-schemas';
import { corpusPipelineWithoutScans } from './corpus-pipeline';
import { rawRecords, type RawRecord } from './raw-corpus';

/**
 * Permission facts as evidence (issue 11), over HTTP in local mode on the real corpus: the IAM change events
 * behind indicators carry the fact they produced, and listPermissionEvidence lists an investigation's facts, each
 * with its raw event. Every expected value is computed here from the raw records (gunzip + JSON.parse).
 */
jest.setTimeout(300_000);

const ACCOUNT = '123837392027';
const DAY = '2023-07-10';
const BERT_JAN = `arn:aws:iam::${ACCOUNT}:user/bert-jan`;
const ROLE = 'stratus-red-team-backdoor-r-role';
const USER = 'malicious-iam-user';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const EXTERNAL = '193672423079';

const corpus = corpusPipelineWithoutScans();

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${corpus().apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (response.status === 200) expectSchema(path.endsWith('listPermissionEvidence') ? 'ListPermissionEvidenceResponse' : 'ListIndicatorEvidenceResponse', json);
  else expectSchema(response.status === 400 ? 'ValidationExceptionBody' : 'ErrorBody', json);
  return { status: response.status, body: json };
}

async function allPages(path: string, body: Record<string, unknown>, member: 'Events' | 'Facts', pageSize: number): Promise<{ items: any[]; first: any }> {
  const items: any[] = [];
  let first: any;
  let NextToken: string | undefined;
  do {
    const page = await post(path, { ...body, MaxResults: pageSize, ...(NextToken ? { NextToken } : {}) });
    expect(page.status).toBe(200);
    first ??= page.body;
    items.push(...page.body[member]);
    NextToken = page.body.NextToken;
  } while (NextToken);
  return { items, first };
}

/** The raw IAM writes naming an entity (by its request parameter), each eventID once, oldest first. */
function rawWrites(param: 'roleName' | 'userName', name: string): RawRecord[] {
  const unique = new Map<string, RawRecord>();
  for (const r of rawRecords()) if (r.eventSource === 'iam.amazonaws.com' && r.requestParameters?.[param] === name && !/^(Get|List)/.test(r.eventName)) unique.set(r.eventID, r);
  return [...unique.values()].sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}

const accountsIn = (document: unknown) => [...new Set([...String(document ?? '').matchAll(/arn:aws:iam::(\d{12}):/g)].map((m) => m[1]))].filter((account) => account !== ACCOUNT);
const by = (r: RawRecord) => `by ${r.userIdentity.arn} (session ${r.userIdentity.accessKeyId}, from ${r.sourceIPAddress})`;

/** The sentence a raw IAM change should produce, from its own fields and (for a trust change) the role's trust before it. */
function rawSentence(r: RawRecord): string | undefined {
  const p = r.requestParameters ?? {};
  const policy = String(p.policyArn ?? '').split('/').pop();
  switch (r.eventName) {
    case 'AttachRolePolicy':
      return `${policy} attached to role ${String(p.roleName)} ${by(r)}`;
    case 'AttachUserPolicy':
      return `${policy} attached to user ${String(p.userName)} ${by(r)}`;
    case 'DetachRolePolicy':
      return `${policy} detached from role ${String(p.roleName)} ${by(r)}`;
    case 'DetachUserPolicy':
      return `${policy} detached from user ${String(p.userName)} ${by(r)}`;
    case 'CreateAccessKey':
      return `access key ${String((r.responseElements?.accessKey as { accessKeyId: string }).accessKeyId)} created for user ${String(p.userName)} ${by(r)}`;
    case 'UpdateAssumeRolePolicy': {
      const writes = rawWrites('roleName', String(p.roleName));
      const earlier = writes.slice(0, writes.findIndex((w) => w.eventID === r.eventID)).filter((w) => !w.errorCode && /^(CreateRole|UpdateAssumeRolePolicy)$/.test(w.eventName));
      const last = earlier.at(-1);
      const was = accountsIn(last?.requestParameters?.assumeRolePolicyDocument ?? last?.requestParameters?.policyDocument);
      const now = accountsIn(p.policyDocument);
      const parts = [
        ...(now.some((a) => !was.includes(a)) ? [`opened to ${now.filter((a) => !was.includes(a)).map((a) => `external account ${a}`).join(', ')}`] : []),
        ...(was.some((a) => !now.includes(a)) ? [`closed to ${was.filter((a) => !now.includes(a)).map((a) => `external account ${a}`).join(', ')}`] : []),
      ];
      return `trust of role ${String(p.roleName)} ${parts.join(' and ') || 'changed'} ${by(r)}`;
    }
    default:
      return undefined;
  }
}


describe('listIndicatorEvidence: an IAM change event carries the permission fact it produced', () => {
  let investigationId: string;
  let ttps: any[];

  beforeAll(async () => {
    const run = await corpus().investigate(BERT_JAN);
    investigationId = run.investigation.InvestigationId as string;
    ttps = run.indicators.filter((i) => i.IndicatorType === 'TTP_OBSERVED');
  });

  it.each(['iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:AttachUserPolicy', 'iam:CreateAccessKey'])('%s: each event says what it did, as its raw record does', async (api) => {
    const indexes = ttps.map((t, i) => [t, i] as const).filter(([t]) => t.IndicatorDetail.TTPsObservedDetail.APIName === api);
    expect(indexes.length).toBeGreaterThan(0);
    const byId = new Map(rawRecords().map((r) => [r.eventID, r]));
    const checked = new Set<string>();
    for (const [, index] of indexes) {
      const { items } = await allPages('/investigations/listIndicatorEvidence', { InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: index }, 'Events', 5);
      for (const event of items) {
        const raw = byId.get(event.EventId)!;
        expect(event.RecordStatus).toBe('FOUND');
        const expected = rawSentence(raw);
        expect(expected).toBeDefined();
        expect(event.PermissionFacts).toHaveLength(1);
        const [fact] = event.PermissionFacts;
        const name = String(raw.requestParameters?.roleName ?? raw.requestParameters?.userName);
        expect(fact).toMatchObject({ Fact: 'CHANGE', EventId: raw.eventID, EventTime: raw.eventTime, EventName: raw.eventName, By: raw.userIdentity.arn, Name: name, AccountId: ACCOUNT, Succeeded: !raw.errorCode, Origin: 'EVENT' });
        expect(fact.Says).toBe(expected);
        if (raw.requestParameters?.policyArn) expect(fact.PolicyArn).toBe(raw.requestParameters.policyArn);
        checked.add(event.EventId);
      }
    }
    // An API mapped to two tactics has two indicators over the same events: each event is checked, every one once.
    expect([...checked].sort()).toEqual([...new Set(rawRecords().filter((r) => rawApiOf(r) === api && r.userIdentity.userName === 'bert-jan').map((r) => r.eventID))].sort());
  });

  it('the backdoor: the trust of the role opened to the external account, then closed, each pointing at its raw event', async () => {
    const index = ttps.findIndex((t) => t.IndicatorDetail.TTPsObservedDetail.APIName === 'iam:UpdateAssumeRolePolicy');
    const { items } = await allPages('/investigations/listIndicatorEvidence', { InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: index }, 'Events', 20);
    const raw = rawWrites('roleName', ROLE).filter((r) => r.eventName === 'UpdateAssumeRolePolicy');
    expect(accountsIn(raw[0].requestParameters?.policyDocument)).toEqual([EXTERNAL]);
    const facts = items.filter((e) => raw.some((r) => r.eventID === e.EventId)).map((e) => e.PermissionFacts[0]);
    expect(facts.map((f: any) => f.EventId)).toEqual(raw.map((r) => r.eventID));
    expect(facts[0]).toMatchObject({ Kind: 'SET_TRUST', ExternalOpened: [`arn:aws:iam::${EXTERNAL}:root`] });
    expect(facts[0].Says).toContain(`trust of role ${ROLE} opened to external account ${EXTERNAL}`);
    expect(facts[1]).toMatchObject({ Kind: 'SET_TRUST', ExternalClosed: [`arn:aws:iam::${EXTERNAL}:root`] });
  });

  it('the CLI prints each IAM change event with the fact it produced', async () => {
    const index = ttps.findIndex((t) => t.IndicatorDetail.TTPsObservedDetail.APIName === 'iam:AttachUserPolicy');
    const lines = await evidenceLines(buildLocalApi({ runner: { start: () => Promise.resolve() } }), { investigationId, indicatorType: 'TTP_OBSERVED', index, json: false });
    const attach = rawWrites('userName', USER).find((r) => r.eventName === 'AttachUserPolicy')!;
    expect(lines).toContain(`      ⇒ ${rawSentence(attach)}`);
  });

  it('an event that is not an IAM change carries no facts', async () => {
    const index = ttps.findIndex((t) => !t.IndicatorDetail.TTPsObservedDetail.APIName.startsWith('iam:'));
    const page = await post('/investigations/listIndicatorEvidence', { InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: index, MaxResults: 5 });
    expect(page.body.Events.length).toBeGreaterThan(0);
    for (const event of page.body.Events) expect(event.PermissionFacts).toBeUndefined();
  });
});

function rawApiOf(r: RawRecord): string {
  return `${r.eventSource.replace(/\.amazonaws\.com$/, '')}:${r.eventName}`;
}

describe('listPermissionEvidence: the investigation’s permission facts, each with its raw event', () => {
  it('the malicious user (12:00–13:00): every change made to it, with the raw record of each', async () => {
    const [from, to] = [`${DAY}T12:00:00Z`, `${DAY}T13:00:00Z`];
    const run = await corpus().investigate(`arn:aws:iam::${ACCOUNT}:user/${USER}`, from, to);
    const { items, first } = await allPages('/investigations/listPermissionEvidence', { InvestigationId: run.investigation.InvestigationId }, 'Facts', 2);
    const raw = rawWrites('userName', USER).filter((r) => r.eventTime >= from && r.eventTime < to);
    expect(raw.map((r) => r.eventName)).toEqual(expect.arrayContaining(['CreateUser', 'AttachUserPolicy', 'CreateAccessKey', 'DeleteUser']));
    // It did not exist when the scope began, so it held nothing then: every fact is a change.
    expect(items.every((f) => f.Fact === 'CHANGE')).toBe(true);
    expect(items.map((f) => f.EventId).sort()).toEqual(raw.map((r) => r.eventID).sort());
    expect(first.TotalCount).toBe(raw.length);
    for (const fact of items) {
      const record = raw.find((r) => r.eventID === fact.EventId)!;
      expect(fact.Event).toMatchObject({ EventId: record.eventID, RecordStatus: 'FOUND', Api: rawApiOf(record) });
      expect(fact.Event.Record.eventID).toBe(record.eventID);
      expect(fact.Event.Record.requestParameters.userName).toBe(USER);
      const expected = rawSentence(record);
      if (expected) expect(fact.Says).toBe(expected);
    }
    const attach = raw.find((r) => r.eventName === 'AttachUserPolicy')!;
    expect(items.find((f) => f.EventId === attach.eventID).Says).toBe(`AdministratorAccess attached to user ${USER} ${by(attach)}`);
    expect(first.Entities[0]).toMatchObject({ EntityType: 'USER', Name: USER, ExistedAtStart: false, ExistsAtEnd: false, AttachedPolicies: [ADMIN], ChangesInScope: raw.length });
  });

  it('the backdoored role (12:26–12:29): AdministratorAccess and the open trust held at the start, each with the event that granted it; then the changes', async () => {
    const [from, to] = [`${DAY}T12:26:00Z`, `${DAY}T12:29:00Z`];
    const run = await corpus().investigate(`arn:aws:iam::${ACCOUNT}:role/${ROLE}`, from, to);
    const { items } = await allPages('/investigations/listPermissionEvidence', { InvestigationId: run.investigation.InvestigationId }, 'Facts', 50);
    const writes = rawWrites('roleName', ROLE);
    const attach = writes.filter((r) => r.eventName === 'AttachRolePolicy' && r.eventTime < from).at(-1)!;
    const opened = writes.filter((r) => r.eventName === 'UpdateAssumeRolePolicy' && r.eventTime < from).at(-1)!;
    expect(accountsIn(opened.requestParameters?.policyDocument)).toEqual([EXTERNAL]);
    const held = items.filter((f) => f.Fact === 'HELD');
    expect(held.map((f) => [f.Kind, f.EventId]).sort()).toEqual(
      [
        ['POLICY', attach.eventID],
        ['TRUST', opened.eventID],
      ].sort(),
    );
    expect(held.find((f) => f.Kind === 'POLICY')).toMatchObject({ PolicyArn: ADMIN, By: attach.userIdentity.arn, Origin: 'EVENT' });
    expect(held.find((f) => f.Kind === 'TRUST')).toMatchObject({ ExternalOpened: [`arn:aws:iam::${EXTERNAL}:root`] });
    const changes = items.filter((f) => f.Fact === 'CHANGE');
    const inScope = writes.filter((r) => r.eventTime >= from && r.eventTime < to);
    expect(changes.map((f) => f.EventId)).toEqual(inScope.map((r) => r.eventID));
    expect(changes.map((f) => f.EventName)).toEqual(['UpdateAssumeRolePolicy', 'DetachRolePolicy', 'DeleteRole']);
    expect(changes[0].Says).toBe(rawSentence(inScope[0]));
    // Every fact points at its raw event, read back from the log object.
    for (const fact of items) {
      expect(fact.Event?.RecordStatus).toBe('FOUND');
      expect(fact.Event.Record.eventID).toBe(fact.EventId);
      expect(fact.Event.Record.requestParameters.roleName).toBe(ROLE);
    }
  });

  it('refuses bad input with a 4xx in Detective’s error shape', async () => {
    const run = await corpus().investigate(`arn:aws:iam::${ACCOUNT}:user/${USER}`, `${DAY}T12:00:00Z`, `${DAY}T13:00:00Z`);
    const id = run.investigation.InvestigationId as string;
    const cases: [unknown, number][] = [
      [{}, 400],
      [{ InvestigationId: id, MaxResults: 0 }, 400],
      [{ InvestigationId: id, MaxResults: 51 }, 400],
      [{ InvestigationId: id, NextToken: 'forged.token' }, 400],
      [{ InvestigationId: id, Extra: 1 }, 400],
      [{ InvestigationId: 'x'.repeat(5000) }, 400],
      [[], 400],
      [{ InvestigationId: '000000000000000000042' }, 404],
    ];
    for (const [body, status] of cases) {
      const response = await post('/investigations/listPermissionEvidence', body);
      expect([JSON.stringify(body).slice(0, 80), response.status]).toEqual([JSON.stringify(body).slice(0, 80), status]);
      expect(typeof response.body.Message).toBe('string');
    }
  });
});
