import { historiesFromRecords } from '../../lambdas/core/iam';
import { callerSubjectOf, changeFact, heldFacts, scopeFacts } from '../../lambdas/core/iam/permission-facts';
import { emptyBody } from '../../lambdas/core/iam/state';
import type { EntityHistory, IamBaseline } from '../../lambdas/core/iam/types';
import { ACCOUNT, ADMIN, READONLY, at, attacker, createRole, iamEvent, trustDocument } from './iam-records';

/** Permission facts from synthetic IAM events: each held permission names the change that granted it. */
describe('permission facts', () => {
  const events = [
    createRole('Target', { eventTime: at(0) }),
    iamEvent('AttachRolePolicy', { roleName: 'Target', policyArn: ADMIN }, { eventTime: at(10) }),
    iamEvent('DetachRolePolicy', { roleName: 'Target', policyArn: ADMIN }, { eventTime: at(20) }),
    iamEvent('AttachRolePolicy', { roleName: 'Target', policyArn: ADMIN }, { eventTime: at(30), userIdentity: attacker }),
    iamEvent('AttachRolePolicy', { roleName: 'Target', policyArn: READONLY }, { eventTime: at(35), errorCode: 'AccessDenied' }),
    iamEvent('UpdateAssumeRolePolicy', { roleName: 'Target', policyDocument: trustDocument({ AWS: 'arn:aws:iam::999988887777:root' }) }, { eventTime: at(40), userIdentity: attacker }),
    iamEvent('PutRolePolicy', { roleName: 'Target', policyName: 'inline', policyDocument: JSON.stringify({ Statement: [] }) }, { eventTime: at(50) }),
  ];
  const history = historiesFromRecords(events).get(`${ACCOUNT}#ROLE#target`)!;

  it('a held policy names its latest granting event, not an earlier one undone since; a failed attempt grants nothing', () => {
    const held = heldFacts(history, at(45));
    expect(held.map((fact) => [fact.Kind, fact.EventId])).toEqual([
      ['POLICY', events[3].eventID],
      ['TRUST', events[5].eventID],
    ]);
    expect(held[0]).toMatchObject({ Fact: 'HELD', PolicyArn: ADMIN, By: attacker.arn, Session: attacker.accessKeyId, Origin: 'EVENT' });
    expect(held[1]).toMatchObject({ ExternalOpened: ['arn:aws:iam::999988887777:root'] });
  });

  it('over a scope: held at its start, then each change in it (attempts included)', () => {
    const facts = scopeFacts(history, at(32), at(60));
    expect(facts.map((fact) => [fact.Fact, fact.Kind, fact.EventId])).toEqual([
      ['HELD', 'POLICY', events[3].eventID],
      ['CHANGE', 'ATTACH', events[4].eventID],
      ['CHANGE', 'SET_TRUST', events[5].eventID],
      ['CHANGE', 'PUT_INLINE', events[6].eventID],
    ]);
    expect(facts[1]).toMatchObject({ Succeeded: false, ErrorCode: 'AccessDenied' });
    expect(facts[1].Says).toMatch(/^attempted, failed with AccessDenied: ReadOnlyAccess attached to role Target by /);
    expect(facts[2].Says).toMatch(/^trust of role Target opened to external account 999988887777 by arn:aws:sts::/);
    expect(changeFact(history.Changes[5], history).ExternalOpened).toEqual(['arn:aws:iam::999988887777:root']);
  });

  it('a permission known only from a snapshot says so and names no event', () => {
    const bare: EntityHistory = { Entity: { AccountId: ACCOUNT, Type: 'ROLE', Name: 'Old' }, Changes: [], Baselines: [] };
    const snapshot: IamBaseline = { Source: 'SNAPSHOT', Time: at(5), State: { ...emptyBody(true), AttachedPolicies: [ADMIN] }, Coverage: 'FULL' };
    const [fact] = heldFacts(bare, at(6), { baselines: [snapshot] });
    expect(fact).toMatchObject({ Kind: 'POLICY', Origin: 'SNAPSHOT', OriginTime: at(5) });
    expect(fact.EventId).toBeUndefined();
    expect(fact.Says).toContain(`known from the IAM snapshot of ${at(5)}`);
  });

  it.each([
    [`arn:aws:iam::${ACCOUNT}:user/path/alice`, `iam-user#arn:aws:iam::${ACCOUNT}:user/path/alice`],
    [`arn:aws:sts::${ACCOUNT}:assumed-role/Admin/session-1`, `role#arn:aws:iam::${ACCOUNT}:role/Admin`],
    [`arn:aws:iam::${ACCOUNT}:root`, `root#arn:aws:iam::${ACCOUNT}:root`],
    ['ec2.amazonaws.com', undefined],
    ['AIDAEXAMPLE', undefined],
    [`arn:aws:sts::${ACCOUNT}:assumed-role/`, undefined],
  ])('the caller %s is kept under %s', (by, subject) => {
    expect(callerSubjectOf(by)).toBe(subject);
  });
});
