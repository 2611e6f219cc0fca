import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { historiesFromRecords } from '../../lambdas/core/iam';
import { MAX_SCOPE_CHANGES, permissionsInScope } from '../../lambdas/core/iam/scope-report';
import { rawRecords } from '../corpus/raw-corpus';
import { ACCOUNT, ADMIN, createRole, iamEvent } from './iam-records';

/** The report's sentences, on the corpus's backdoored role: ground truth from the raw UpdateAssumeRolePolicy events. */
const CORPUS_ACCOUNT = '123837392027';
const ROLE = 'stratus-red-team-backdoor-r-role';
const EXTERNAL = '193672423079';

describe('permissions in an investigation scope', () => {
  const history = historiesFromRecords(rawRecords() as unknown as CloudTrailRecord[]).get(`${CORPUS_ACCOUNT}#ROLE#${ROLE}`)!;
  const trust = rawRecords()
    .filter((r) => r.eventName === 'UpdateAssumeRolePolicy' && r.requestParameters?.roleName === ROLE)
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));

  it('says when the trust was opened to the external account, and when it was closed, by whom and from which session', () => {
    expect(String(trust[0].requestParameters?.policyDocument)).toContain(EXTERNAL);
    expect(String(trust[1].requestParameters?.policyDocument)).not.toContain(EXTERNAL);
    const report = permissionsInScope(history, '2023-07-10T12:00:00Z', '2023-07-10T13:00:00Z');
    const says = (index: number) => report.Changes.find((change) => change.EventId === trust[index].eventID)?.Says;
    const by = (index: number) => `by ${trust[index].userIdentity.arn} (session ${trust[index].userIdentity.accessKeyId}, from ${trust[index].sourceIPAddress})`;
    expect(says(0)).toBe(`trust of role ${ROLE} opened to external account ${EXTERNAL} ${by(0)}`);
    expect(says(1)).toBe(`trust of role ${ROLE} closed to external account ${EXTERNAL} ${by(1)}`);
    expect(report.ExternalPrincipals).toEqual([{ Principal: `arn:aws:iam::${EXTERNAL}:root`, Flags: ['OUTSIDE_ACCOUNT'] }]);
    expect(report).toMatchObject({ ExistedAtStart: false, ExistsAtEnd: false, AttachedPolicies: [ADMIN], Coverage: 'FULL' });
  });

  it('a scope after the trust was reverted holds no external principal and lists only the later changes', () => {
    const report = permissionsInScope(history, '2023-07-10T12:28:30Z', '2023-07-10T12:29:00Z');
    expect(report.ExternalPrincipals).toEqual([]);
    expect(report.ExistedAtStart).toBe(true);
    expect(report.Changes.map((change) => change.EventName)).toEqual(['DetachRolePolicy', 'DeleteRole']);
  });

  it('keeps at most MAX_SCOPE_CHANGES sentences and counts the rest; a failed call is an attempt', () => {
    const events = [createRole('Busy'), ...Array.from({ length: 30 }, (_, i) => iamEvent(i % 2 ? 'DetachRolePolicy' : 'AttachRolePolicy', { roleName: 'Busy', policyArn: ADMIN }, i === 29 ? { errorCode: 'AccessDenied' } : {}))];
    const busy = historiesFromRecords(events).get(`${ACCOUNT}#ROLE#busy`)!;
    const report = permissionsInScope(busy, '2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z');
    expect(report.ChangesInScope).toBe(31);
    expect(report.Changes).toHaveLength(MAX_SCOPE_CHANGES);
    const last = permissionsInScope(busy, events[30].eventTime, '2100-01-01T00:00:00Z');
    expect(last.Changes[0].Says).toMatch(/^attempted, failed with AccessDenied: AdministratorAccess detached from role Busy by /);
  });
});
