import type { Indicator, IndicatorType } from '../../lambdas/core/analysis/detective-types';
import { RECOMMENDED_MITIGATIONS, recommendedMitigation, scoreSeverity, SEVERITY_RULES } from '../../lambdas/core/analysis/severity';
import { CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE } from '../../lambdas/core/analysis/ttp';

const ttp = (Tactic: string, success = 1, failure = 0): Indicator => ({
  IndicatorType: 'TTP_OBSERVED',
  IndicatorDetail: { TTPsObservedDetail: { Tactic, Technique: 'T0000 - x', APIName: 'svc:Api', APISuccessCount: success, APIFailureCount: failure } },
});
const technique = (Tactic: string, techniqueId: string, success = 1, failure = 0, Procedure = 'p'): Indicator => ({
  IndicatorType: 'TTP_OBSERVED',
  IndicatorDetail: { TTPsObservedDetail: { Tactic, Technique: `${techniqueId} - name`, Procedure, APIName: 'svc:Api', APISuccessCount: success, APIFailureCount: failure } },
});
const flagged: Indicator = { IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorDetail: { FlaggedIpAddressDetail: { IpAddress: '198.51.100.20', Reason: 'AWS_THREAT_INTELLIGENCE' } } };
const travel: Indicator = { IndicatorType: 'IMPOSSIBLE_TRAVEL', IndicatorDetail: { ImpossibleTravelDetail: { StartingIpAddress: 'a', EndingIpAddress: 'b', HourlyTimeDelta: 1 } } };
const newGeo = (account: boolean): Indicator => ({ IndicatorType: 'NEW_GEOLOCATION', IndicatorDetail: { NewGeolocationDetail: { Location: 'Singapore', IpAddress: 'x', IsNewForEntireAccount: account } } });
const newUa: Indicator = { IndicatorType: 'NEW_USER_AGENT', IndicatorDetail: { NewUserAgentDetail: { UserAgent: 'curl/8.5.0' } } };
const related: Indicator = { IndicatorType: 'RELATED_FINDING', IndicatorDetail: { RelatedFindingDetail: { Arn: 'arn', Type: 't' } } };
const group: Indicator = { IndicatorType: 'RELATED_FINDING_GROUP', IndicatorDetail: { RelatedFindingGroupDetail: { Id: 'g' } } };

describe('investigation severity', () => {
  it.each<[string, Indicator[], number | undefined, string, string]>([
    ['nothing', [], undefined, 'INFORMATIONAL', ''],
    ['discovery only', [ttp('Discovery')], undefined, 'LOW', 'L2'],
    ['failed persistence attempts only', [ttp('Persistence', 0, 4)], undefined, 'LOW', 'L2'],
    ['a new user agent', [newUa], undefined, 'LOW', 'L1'],
    ['a related low finding', [related], 2, 'LOW', 'L3'],
    ['successful persistence', [ttp('Persistence')], undefined, 'MEDIUM', 'M2'],
    ['impossible travel', [travel], undefined, 'MEDIUM', 'M1'],
    ['a geolocation new to the account', [newGeo(true)], undefined, 'MEDIUM', 'M3'],
    ['a related finding group', [related, group], undefined, 'MEDIUM', 'M4'],
    ['defense evasion from a new place', [ttp('Defense Evasion'), newGeo(false)], undefined, 'HIGH', 'H1'],
    ['a flagged IP', [flagged, ttp('Discovery')], undefined, 'HIGH', 'H2'],
    ['impossible travel and credential access', [travel, ttp('Credential Access')], undefined, 'HIGH', 'H3'],
    ['exfiltration with a new user agent', [ttp('Exfiltration'), newUa], undefined, 'HIGH', 'H4'],
    ['a related high finding', [related], 8, 'HIGH', 'H5'],
    ['flagged IP and credential access', [flagged, ttp('Credential Access')], undefined, 'CRITICAL', 'C1'],
    ['defense evasion and impossible travel', [travel, ttp('Defense Evasion')], undefined, 'CRITICAL', 'C2'],
    ['a related critical finding', [related], 9.5, 'CRITICAL', 'C3'],
    // Without any baseline (no newness indicators) combinations still reach HIGH and CRITICAL.
    ['trail tampering and a backdoor user', [technique('Defense Evasion', 'T1562.008'), ttp('Persistence')], undefined, 'HIGH', 'H6'],
    ['GuardDuty disabled and a policy attached', [technique('Defense Evasion', 'T1562.001'), ttp('Privilege Escalation')], undefined, 'HIGH', 'H6'],
    ['failed trail tampering and a backdoor user', [technique('Defense Evasion', 'T1562.008', 0, 3), ttp('Persistence')], undefined, 'MEDIUM', 'M2'],
    ['a snapshot shared out and a backdoor user', [ttp('Exfiltration'), ttp('Persistence')], undefined, 'HIGH', 'H7'],
    ['instance credentials used away from the instance', [technique('Credential Access', 'T1552.005')], undefined, 'HIGH', 'H8'],
    ['evasion, persistence and exfiltration in one scope', [ttp('Defense Evasion'), ttp('Persistence'), ttp('Exfiltration')], undefined, 'CRITICAL', 'C4'],
    ['a console sign-in without MFA', [technique('Initial Access', 'T1078.004', 1, 0, CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE)], undefined, 'MEDIUM', 'M5'],
  ])('%s → %s', (_name, indicators, maxRelatedFindingSeverity, severity, topRule) => {
    const assessment = scoreSeverity(indicators, maxRelatedFindingSeverity !== undefined ? { maxRelatedFindingSeverity } : {});
    expect(assessment.severity).toBe(severity);
    expect(assessment.matchedRules[0]?.id ?? '').toBe(topRule);
  });

  it('lists every rule that applied, highest first, so the report can explain the score', () => {
    const { matchedRules } = scoreSeverity([flagged, ttp('Credential Access'), newGeo(true)]);
    expect(matchedRules.map((r) => r.id)).toEqual(['C1', 'H2', 'M2', 'M3', 'L1', 'L2']);
  });

  it('rule ids are unique', () => {
    expect(new Set(SEVERITY_RULES.map((r) => r.id)).size).toBe(SEVERITY_RULES.length);
  });
});

describe('mitigations', () => {
  it('has one for every indicator type', () => {
    const types: IndicatorType[] = ['TTP_OBSERVED', 'IMPOSSIBLE_TRAVEL', 'FLAGGED_IP_ADDRESS', 'NEW_GEOLOCATION', 'NEW_ASO', 'NEW_USER_AGENT', 'RELATED_FINDING', 'RELATED_FINDING_GROUP'];
    for (const type of types) expect(RECOMMENDED_MITIGATIONS[type].length).toBeGreaterThan(40);
  });

  it('is tactic-specific for TTPs', () => {
    expect(recommendedMitigation(ttp('Credential Access'))).toMatch(/Rotate every secret/);
    expect(recommendedMitigation(ttp('Unknown Tactic'))).toBe(RECOMMENDED_MITIGATIONS.TTP_OBSERVED);
    expect(recommendedMitigation(flagged)).toBe(RECOMMENDED_MITIGATIONS.FLAGGED_IP_ADDRESS);
    expect(recommendedMitigation({})).toBeUndefined();
  });

  it('is given per indicator: each TTP gets its own, not the first of its type', () => {
    const advice = [ttp('Persistence'), ttp('Exfiltration'), technique('Credential Access', 'T1552.005')].map(recommendedMitigation);
    expect(new Set(advice).size).toBe(3);
    expect(advice[2]).toMatch(/IMDSv2/);
  });

  it('says so when every call failed', () => {
    expect(recommendedMitigation(ttp('Defense Evasion', 0, 3))).toMatch(/^Every call failed/);
    expect(recommendedMitigation(ttp('Defense Evasion', 1, 3))).not.toMatch(/Every call failed/);
  });
});
