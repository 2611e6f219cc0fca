import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { consoleSite } from '../../local/console/static-site';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { rawRecords, type RawRecord } from '../corpus/raw-corpus';
import { consoleSession } from './console-session';
import type { DeliveryReport } from '../../lambdas/guardduty-trigger/local-delivery';

/**
 * The console's GuardDuty findings page and the permissions panel of role and user profiles, in headless
 * Chromium on the real corpus through the local pipeline. Findings are delivered through the real trigger
 * (as `--guardduty-events FILE` does): one about bert-jan, made from the fixture's IAMUser finding with his
 * account, key and times, and one whose type and title are hostile markup. The permissions expected are
 * folded here from the raw IAM events, as test/corpus/permissions-route.test.ts does.
 */
jest.setTimeout(300_000);

declare const document: { images: { length: number }; activeElement: { getAttribute(name: string): string | null } | null; body: { innerText: string } };
declare const location: { hash: string };

const ACCOUNT = '123837392027';
const DAY = { from: '2023-07-10T00:00:00.000Z', to: '2023-07-11T00:00:00.000Z' };
const ROLE = 'stratus-red-team-backdoor-r-role';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const AT = '2023-07-10T12:26:00.000Z';
const HOSTILE_TYPE = 'Policy:IAMUser/<img src=x onerror=alert(7)>';
const HOSTILE_TITLE = '<script>alert(8)</script>';

let page: Page;
let events: { detail: Record<string, unknown> }[];
/** What the trigger did with each delivered finding, by finding id (the delivery's own report). */
let delivered: DeliveryReport;

/** The fixture's IAMUser finding (alice's), made to name bert-jan's key in the corpus's account and day. */
function findingEvents(): { detail: Record<string, unknown> }[] {
  const line = readFileSync(join(__dirname, '..', 'fixtures', 'guardduty', 'incident-events.jsonl'), 'utf8').split('\n')[3];
  const template = JSON.parse(line) as { detail: Record<string, unknown> & { resource: Record<string, unknown>; service: Record<string, unknown> } };
  const key = rawRecords().find((r) => r.userIdentity.type === 'IAMUser' && r.userIdentity.userName === 'bert-jan' && r.userIdentity.accessKeyId)?.userIdentity.accessKeyId;
  const finding = (id: string, changes: Record<string, unknown>, userType: string, userName: string) => ({
    ...template,
    id: `event-${id}`,
    account: ACCOUNT,
    detail: {
      ...template.detail,
      id,
      accountId: ACCOUNT,
      arn: `arn:aws:guardduty:us-east-1:${ACCOUNT}:detector/d/finding/${id}`,
      resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: key, principalId: 'AIDAEXAMPLE', userName, userType } },
      service: { ...template.detail.service, eventFirstSeen: '2023-07-10T11:10:00.000Z', eventLastSeen: '2023-07-10T11:50:00.000Z' },
      createdAt: '2023-07-10T12:00:00.000Z',
      ...changes,
    },
  });
  return [
    finding('1111aaaa2222bbbb3333cccc4444dddd', { severity: 8, updatedAt: '2023-07-10T12:00:00.000Z' }, 'IAMUser', 'bert-jan'),
    finding('5555eeee6666ffff7777aaaa8888bbbb', { severity: 2, updatedAt: '2023-07-10T12:30:00.000Z', type: HOSTILE_TYPE, title: HOSTILE_TITLE }, 'Root', 'root'),
  ];
}

const session = consoleSession(async () => {
  const pipeline = await CorpusPipeline.start({ console: consoleSite() });
  events = findingEvents();
  delivered = await pipeline.deliverGuardDuty(events);
  expect(delivered.counts).toMatchObject({ started: 1, skipped: 1, failed: 0 });
  return pipeline;
});
const { open, screenshot, tableRows } = session;

beforeAll(() => {
  page = session.page;
});

describe('GuardDuty findings page', () => {
  it('lists the findings of the day, each linking to its investigation and its entity, hostile strings as text', async () => {
    await open(`#/findings?${new URLSearchParams(DAY)}`, 'table[aria-label="GuardDuty findings"]');
    const rows = await tableRows('GuardDuty findings');
    expect(rows).toHaveLength(events.length);
    // Newest first: the hostile finding (12:30), then bert-jan's (12:00).
    expect(rows.map((r) => r[2])).toEqual([HOSTILE_TYPE, String(events[0].detail.type)]);
    expect(rows[0][6]).toMatch(/^Skipped: /);
    expect(await page.evaluate(() => document.images.length)).toBe(0);
    expect(await page.evaluate(() => document.body.innerText)).toContain(HOSTILE_TYPE);

    const entityLink = page.locator('table[aria-label="GuardDuty findings"] a', { hasText: `arn:aws:iam::${ACCOUNT}:user/bert-jan` });
    expect(await entityLink.getAttribute('href')).toContain(`#/entity?type=IAM_USER&id=${encodeURIComponent(`arn:aws:iam::${ACCOUNT}:user/bert-jan`)}`);
    await screenshot('findings');

    const investigation = page.locator('table[aria-label="GuardDuty findings"] a', { hasText: 'Investigation ' });
    const id = ((await investigation.innerText()).match(/\d{21}/) ?? [])[0];
    expect(id).toBeDefined();
    await investigation.click();
    await page.waitForFunction((expected) => location.hash === `#/investigation?id=${expected}`, id);
    await page.waitForSelector('h1');
    expect(await page.innerText('main')).toContain(`arn:aws:iam::${ACCOUNT}:user/bert-jan`);
  });

  it('is reachable from the menu and walkable with the keyboard; an empty scope says so', async () => {
    await open(`#/summary?${new URLSearchParams(DAY)}`, 'nav');
    await page.focus('nav a[href^="#/findings"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/findings'));
    // The default scope (the last 30 days) holds none of the corpus's 2023 findings.
    await page.waitForSelector('text=No GuardDuty finding arrived in this scope');

    await open(`#/findings?${new URLSearchParams(DAY)}`, 'table[aria-label="GuardDuty findings"]');
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => (document.activeElement?.getAttribute('href') ?? '').startsWith('#/investigation?id='));
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/investigation?id='));
    await page.waitForSelector('h1');
  });
});

describe('related findings on a profile', () => {
  it("bert-jan's profile lists his finding with a link to the investigation the trigger started on it", async () => {
    const started = delivered.results.flatMap((r) => (r.delivered && r.outcome.outcome === 'started' ? [r.outcome] : []));
    expect(started.map((s) => s.findingId)).toEqual([String(events[0].detail.id)]);
    const scope = { from: '2023-07-10T11:00:00.000Z', to: '2023-07-10T13:00:00.000Z' };
    await open(`#/entity?${new URLSearchParams({ type: 'IAM_USER', id: `arn:aws:iam::${ACCOUNT}:user/bert-jan`, ...scope })}`, 'table[aria-label="RelatedFindings"]');
    const rows = await tableRows('RelatedFindings');
    expect(rows.map((r) => r[0])).toContain(started[0].findingId);
    const link = page.locator('table[aria-label="RelatedFindings"] a', { hasText: `Investigation ${started[0].investigationId}` });
    expect(await link.getAttribute('href')).toBe(`#/investigation?id=${started[0].investigationId}`);
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((expected) => location.hash === `#/investigation?id=${expected}`, started[0].investigationId);
    await page.waitForSelector('h1');
  });
});

/** A plain fold of the raw IAM writes of the role up to `at`: attached policies and the trust policy's external accounts. */
function rawRoleState(at: string): { attached: string[]; external: string[]; changes: RawRecord[] } {
  const writes = rawRecords()
    .filter((r) => r.eventSource === 'iam.amazonaws.com' && r.requestParameters?.roleName === ROLE && !/^(Get|List)/.test(r.eventName) && Date.parse(r.eventTime) <= Date.parse(at))
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  let attached: string[] = [];
  let trust = '';
  for (const r of writes) {
    if (r.errorCode) continue;
    const p = r.requestParameters ?? {};
    if (r.eventName === 'CreateRole') [attached, trust] = [[], String(p.assumeRolePolicyDocument ?? '')];
    else if (r.eventName === 'AttachRolePolicy') attached.push(String(p.policyArn));
    else if (r.eventName === 'DetachRolePolicy') attached = attached.filter((arn) => arn !== p.policyArn);
    else if (r.eventName === 'UpdateAssumeRolePolicy') trust = String(p.policyDocument);
  }
  const external = [...new Set([...trust.matchAll(/arn:aws:iam::(\d{12}):/g)].map((m) => m[1]))].filter((account) => account !== ACCOUNT);
  return { attached, external, changes: writes };
}

describe('permissions on the role profile', () => {
  it(`${ROLE} at 12:26: AdministratorAccess attached, the external account flagged, the changes up to then`, async () => {
    const truth = rawRoleState(AT);
    expect(truth.attached).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(truth.external).toEqual(['193672423079']);
    const scope = { from: '2023-07-10T11:26:00.000Z', to: AT };
    await open(`#/entity?${new URLSearchParams({ type: 'IAM_ROLE', id: ROLE_ARN, ...scope })}`, '#permissions table[aria-label="Trust policy principals"]');
    expect(await page.innerText('#permissions [data-fact="Attached policies"]')).toBe(truth.attached.join(', '));
    const trust = await tableRows('Trust policy principals');
    const flagged = trust.filter((r) => r[2] !== '').map((r) => r[1]);
    expect(flagged).toEqual(truth.external.map((account) => `arn:aws:iam::${account}:root`));
    expect(trust.find((r) => r[1].includes(truth.external[0]))?.[2]).toContain('OUTSIDE_ACCOUNT');
    expect(await page.getAttribute('#permissions [data-coverage]', 'data-coverage')).toBe('FULL');
    const changes = await tableRows('IAM changes');
    expect(changes.map((r) => [r[1], r[2], r[3].startsWith('✓')])).toEqual(truth.changes.map((r) => [r.eventName, r.userIdentity.arn, !r.errorCode]));
    await page.locator('#permissions').scrollIntoViewIfNeeded();
    await screenshot('permissions');
  });
});

describe('the permissions timeline', () => {
  it(`over the whole day (${ROLE} deleted by its end): a change picked in the timeline shows the state just after it`, async () => {
    await open(`#/entity?${new URLSearchParams({ type: 'IAM_ROLE', id: ROLE_ARN, ...DAY })}`, '#permissions table[aria-label="IAM changes"]');
    expect(await page.innerText('#permissions [data-fact="Attached policies"]')).toBe('none');
    const opened = rawRecords().find((r) => r.eventName === 'UpdateAssumeRolePolicy' && r.requestParameters?.roleName === ROLE)!;
    const truth = rawRoleState(opened.eventTime);
    await page.click(`#permissions button[data-state-at="${opened.eventTime}"]`);
    await page.waitForSelector('#permissions table[aria-label="Trust policy principals"]');
    expect(await page.innerText('#permissions [data-fact="Attached policies"]')).toBe(truth.attached.join(', '));
    const trust = await tableRows('Trust policy principals');
    expect(trust.filter((r) => r[2] !== '').map((r) => r[1])).toEqual(truth.external.map((account) => `arn:aws:iam::${account}:root`));
    expect((await tableRows('IAM changes')).map((r) => r[1])).toEqual(truth.changes.map((r) => r.eventName));
    await page.click('#permissions button:text("Back to the scope\'s end")');
    await page.waitForFunction(() => !document.body.innerText.includes('Just after the change'));
  });
});

describe('permissions on the investigation report (listPermissionEvidence)', () => {
  it(`${ROLE} over 12:26–12:29: what it held at the start and each change, every fact with its raw event`, async () => {
    const [from, to] = ['2023-07-10T12:26:00Z', '2023-07-10T12:29:00Z'];
    const run = await session.pipeline.investigate(ROLE_ARN, from, to);
    const writes = [...new Map(rawRecords().filter((r) => r.eventSource === 'iam.amazonaws.com' && r.requestParameters?.roleName === ROLE && !/^(Get|List)/.test(r.eventName)).map((r) => [r.eventID, r])).values()];
    // Held at 12:26: the last attachment and the last trust change before it; then the writes of the scope.
    const attach = writes.filter((r) => r.eventName === 'AttachRolePolicy' && r.eventTime < from).sort((a, b) => a.eventTime.localeCompare(b.eventTime)).at(-1)!;
    const trust = writes.filter((r) => r.eventName === 'UpdateAssumeRolePolicy' && r.eventTime < from).sort((a, b) => a.eventTime.localeCompare(b.eventTime)).at(-1)!;
    const inScope = writes.filter((r) => r.eventTime >= from && r.eventTime < to);
    await open(`#/investigation?id=${run.investigation.InvestigationId as string}`, 'table[aria-label="Permission facts"]');
    const held = await tableRows('Permissions held');
    expect(held[0][0]).toBe(`role ${ROLE}`);
    expect(held[0][3]).toContain('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(held[0][4]).toContain('193672423079');
    const facts = await tableRows('Permission facts');
    expect(facts.filter((r) => r[1] === 'held at start').map((r) => r[3]).sort()).toEqual([attach.eventID, trust.eventID].sort());
    expect(facts.filter((r) => r[1] === 'changed').map((r) => r[3]).sort()).toEqual(inScope.map((r) => r.eventID).sort());
    expect(facts.every((r) => r[4].startsWith('FOUND'))).toBe(true);
    expect(facts.find((r) => r[3] === trust.eventID)?.[2]).toContain('trust open to arn:aws:iam::193672423079:root');
    await page.locator('table[aria-label="Permission facts"]').scrollIntoViewIfNeeded();
    await screenshot('report-permissions');
  });
});
