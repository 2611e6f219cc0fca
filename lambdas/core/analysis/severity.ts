import { Severity, type Indicator, type IndicatorType } from './detective-types';
import { INSTANCE_CREDENTIALS_TECHNIQUE_ID } from './instance-credentials';
import { CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE } from './ttp';

/**
 * Investigation severity from its indicators, by a fixed rule table: every rule whose condition holds is
 * reported (so an analyst sees WHY), and the investigation takes the highest severity among them. Detective
 * does not publish its scoring; these rules follow its stated idea (likelihood and impact of the indicators of
 * compromise) and are deliberately simple enough to audit. C4, H6, H7 and H8 need no baseline: a young
 * deployment (or a freshly created attacker user) has no history, yet tampering with the trail while
 * planting a backdoor user, or sharing snapshots out of the account while doing so, is serious on its own.
 *
 * | rule | severity | when |
 * | --- | --- | --- |
 * | C1 | CRITICAL | flagged IP and a successful Credential Access, Exfiltration or Impact TTP |
 * | C2 | CRITICAL | successful Defense Evasion TTP and (flagged IP or impossible travel) |
 * | C3 | CRITICAL | a related GuardDuty finding of severity ≥ 9 (critical) |
 * | C4 | CRITICAL | successful Defense Evasion, Persistence or Privilege Escalation, and Credential Access, Exfiltration or Impact TTPs, all in one scope |
 * | H1 | HIGH | successful Defense Evasion TTP and a new geolocation, ASO or user agent |
 * | H2 | HIGH | flagged IP |
 * | H3 | HIGH | impossible travel and a successful Persistence, Privilege Escalation, Credential Access, Exfiltration or Impact TTP |
 * | H4 | HIGH | successful Exfiltration or Impact TTP and a new geolocation, ASO or user agent |
 * | H5 | HIGH | a related GuardDuty finding of severity ≥ 7 (high) |
 * | H6 | HIGH | successful tampering with logging or detection (T1562.001/.008) and a successful Persistence or Privilege Escalation TTP |
 * | H7 | HIGH | successful Exfiltration or Impact TTP and a successful Persistence, Privilege Escalation or Defense Evasion TTP |
 * | H8 | HIGH | EC2 instance credentials used from an address other than the instance's (T1552.005) |
 * | M1 | MEDIUM | impossible travel |
 * | M2 | MEDIUM | a successful Persistence, Privilege Escalation, Defense Evasion, Credential Access, Lateral Movement, Exfiltration or Impact TTP |
 * | M3 | MEDIUM | a geolocation new for the entire account |
 * | M4 | MEDIUM | a related GuardDuty finding of severity ≥ 4 (medium), or a related finding group |
 * | M5 | MEDIUM | a console sign-in without MFA |
 * | L1 | LOW | any new geolocation, ASO or user agent |
 * | L2 | LOW | any TTP (Discovery, or attempts that all failed) |
 * | L3 | LOW | any related finding |
 * | I0 | INFORMATIONAL | nothing above |
 */

/** `T1562.008` of `T1562.008 - Impair Defenses: …`. */
function techniqueIdOf(technique: string | undefined): string | undefined {
  return /^T\d{4}(\.\d{3})?/.exec(technique ?? '')?.[0];
}

const SEVERITY_RANK: Record<Severity, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

export interface IndicatorFeatures {
  /** Tactics with at least one successful call. */
  successfulTactics: Set<string>;
  /** Tactics observed at all (successful or failed calls). */
  observedTactics: Set<string>;
  /** ATT&CK technique ids (`T1562.008`) with at least one successful call. */
  successfulTechniques: Set<string>;
  consoleLoginWithoutMfa: boolean;
  flaggedIp: boolean;
  impossibleTravel: boolean;
  newGeolocation: boolean;
  newGeolocationForAccount: boolean;
  newAso: boolean;
  newUserAgent: boolean;
  relatedFindings: number;
  relatedFindingGroups: number;
  /** Highest GuardDuty severity among related findings (1–10), when the caller knows it. */
  maxRelatedFindingSeverity?: number;
}

export interface SeverityContext {
  maxRelatedFindingSeverity?: number;
}

export function featuresOf(indicators: readonly Indicator[], context: SeverityContext = {}): IndicatorFeatures {
  const features: IndicatorFeatures = {
    successfulTactics: new Set(),
    observedTactics: new Set(),
    successfulTechniques: new Set(),
    consoleLoginWithoutMfa: false,
    flaggedIp: false,
    impossibleTravel: false,
    newGeolocation: false,
    newGeolocationForAccount: false,
    newAso: false,
    newUserAgent: false,
    relatedFindings: 0,
    relatedFindingGroups: 0,
    ...(context.maxRelatedFindingSeverity !== undefined ? { maxRelatedFindingSeverity: context.maxRelatedFindingSeverity } : {}),
  };
  for (const indicator of indicators) {
    const detail = indicator.IndicatorDetail ?? {};
    switch (indicator.IndicatorType) {
      case 'TTP_OBSERVED': {
        const ttp = detail.TTPsObservedDetail;
        if (!ttp?.Tactic) break;
        features.observedTactics.add(ttp.Tactic);
        const succeededOnce = (ttp.APISuccessCount ?? 0) > 0;
        if (succeededOnce) features.successfulTactics.add(ttp.Tactic);
        const techniqueId = techniqueIdOf(ttp.Technique);
        if (succeededOnce && techniqueId) features.successfulTechniques.add(techniqueId);
        if (succeededOnce && ttp.Procedure === CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE) features.consoleLoginWithoutMfa = true;
        break;
      }
      case 'FLAGGED_IP_ADDRESS':
        features.flaggedIp = true;
        break;
      case 'IMPOSSIBLE_TRAVEL':
        features.impossibleTravel = true;
        break;
      case 'NEW_GEOLOCATION':
        features.newGeolocation = true;
        if (detail.NewGeolocationDetail?.IsNewForEntireAccount) features.newGeolocationForAccount = true;
        break;
      case 'NEW_ASO':
        features.newAso = true;
        break;
      case 'NEW_USER_AGENT':
        features.newUserAgent = true;
        break;
      case 'RELATED_FINDING':
        features.relatedFindings++;
        break;
      case 'RELATED_FINDING_GROUP':
        features.relatedFindingGroups++;
        break;
      default:
        break;
    }
  }
  return features;
}

export interface SeverityRule {
  id: string;
  severity: Severity;
  description: string;
  applies: (f: IndicatorFeatures) => boolean;
}

const succeeded = (f: IndicatorFeatures, ...tactics: string[]) => tactics.some((t) => f.successfulTactics.has(t));
const anyNewness = (f: IndicatorFeatures) => f.newGeolocation || f.newAso || f.newUserAgent;
const relatedAtLeast = (f: IndicatorFeatures, severity: number) => f.relatedFindings > 0 && (f.maxRelatedFindingSeverity ?? 0) >= severity;

export const SEVERITY_RULES: readonly SeverityRule[] = [
  {
    id: 'C1',
    severity: 'CRITICAL',
    description: 'Flagged IP address together with successful credential access, exfiltration or impact',
    applies: (f) => f.flaggedIp && succeeded(f, 'Credential Access', 'Exfiltration', 'Impact'),
  },
  {
    id: 'C2',
    severity: 'CRITICAL',
    description: 'Successful defense evasion together with a flagged IP address or impossible travel',
    applies: (f) => succeeded(f, 'Defense Evasion') && (f.flaggedIp || f.impossibleTravel),
  },
  { id: 'C3', severity: 'CRITICAL', description: 'Related GuardDuty finding of critical severity (9 or more)', applies: (f) => relatedAtLeast(f, 9) },
  {
    id: 'C4',
    severity: 'CRITICAL',
    description: 'Successful defense evasion, persistence or privilege escalation, and credential access, exfiltration or impact, all in one scope',
    applies: (f) => succeeded(f, 'Defense Evasion') && succeeded(f, 'Persistence', 'Privilege Escalation') && succeeded(f, 'Credential Access', 'Exfiltration', 'Impact'),
  },
  {
    id: 'H1',
    severity: 'HIGH',
    description: 'Successful defense evasion from a new geolocation, network (ASO) or user agent',
    applies: (f) => succeeded(f, 'Defense Evasion') && anyNewness(f),
  },
  { id: 'H2', severity: 'HIGH', description: 'API calls from an IP address on a threat-intelligence list', applies: (f) => f.flaggedIp },
  {
    id: 'H3',
    severity: 'HIGH',
    description: 'Impossible travel together with successful persistence, privilege escalation, credential access, exfiltration or impact',
    applies: (f) => f.impossibleTravel && succeeded(f, 'Persistence', 'Privilege Escalation', 'Credential Access', 'Exfiltration', 'Impact'),
  },
  {
    id: 'H4',
    severity: 'HIGH',
    description: 'Successful exfiltration or impact from a new geolocation, network (ASO) or user agent',
    applies: (f) => succeeded(f, 'Exfiltration', 'Impact') && anyNewness(f),
  },
  { id: 'H5', severity: 'HIGH', description: 'Related GuardDuty finding of high severity (7 or more)', applies: (f) => relatedAtLeast(f, 7) },
  {
    id: 'H6',
    severity: 'HIGH',
    description: 'Successful tampering with logging or detection together with successful persistence or privilege escalation',
    applies: (f) => (f.successfulTechniques.has('T1562.008') || f.successfulTechniques.has('T1562.001')) && succeeded(f, 'Persistence', 'Privilege Escalation'),
  },
  {
    id: 'H7',
    severity: 'HIGH',
    description: 'Successful exfiltration or impact together with successful persistence, privilege escalation or defense evasion',
    applies: (f) => succeeded(f, 'Exfiltration', 'Impact') && succeeded(f, 'Persistence', 'Privilege Escalation', 'Defense Evasion'),
  },
  { id: 'H8', severity: 'HIGH', description: 'EC2 instance credentials used from an address other than the instance\'s', applies: (f) => f.successfulTechniques.has(INSTANCE_CREDENTIALS_TECHNIQUE_ID) },
  { id: 'M1', severity: 'MEDIUM', description: 'Impossible travel', applies: (f) => f.impossibleTravel },
  {
    id: 'M2',
    severity: 'MEDIUM',
    description: 'Successful persistence, privilege escalation, defense evasion, credential access, lateral movement, exfiltration or impact',
    applies: (f) => succeeded(f, 'Persistence', 'Privilege Escalation', 'Defense Evasion', 'Credential Access', 'Lateral Movement', 'Exfiltration', 'Impact'),
  },
  { id: 'M3', severity: 'MEDIUM', description: 'Geolocation never seen in the whole account during the baseline', applies: (f) => f.newGeolocationForAccount },
  {
    id: 'M4',
    severity: 'MEDIUM',
    description: 'Related GuardDuty finding of medium severity (4 or more), or a related finding group',
    applies: (f) => relatedAtLeast(f, 4) || f.relatedFindingGroups > 0,
  },
  { id: 'M5', severity: 'MEDIUM', description: 'Console sign-in without MFA', applies: (f) => f.consoleLoginWithoutMfa },
  { id: 'L1', severity: 'LOW', description: 'New geolocation, network (ASO) or user agent', applies: anyNewness },
  { id: 'L2', severity: 'LOW', description: 'Tactics, techniques and procedures observed (discovery, or failed attempts)', applies: (f) => f.observedTactics.size > 0 },
  { id: 'L3', severity: 'LOW', description: 'Related GuardDuty finding', applies: (f) => f.relatedFindings > 0 },
];

export interface SeverityAssessment {
  severity: Severity;
  /** Every rule that applied, highest severity first, with the rule id for the report. */
  matchedRules: { id: string; severity: Severity; description: string }[];
}

export function scoreSeverity(indicators: readonly Indicator[], context: SeverityContext = {}, rules: readonly SeverityRule[] = SEVERITY_RULES): SeverityAssessment {
  const features = featuresOf(indicators, context);
  const matchedRules = rules
    .filter((rule) => rule.applies(features))
    .map(({ id, severity, description }) => ({ id, severity, description }))
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.id.localeCompare(b.id));
  return { severity: matchedRules[0]?.severity ?? Severity.INFORMATIONAL, matchedRules };
}

/** Recommended first response per indicator type: short, actionable, ours. */
export const RECOMMENDED_MITIGATIONS: Record<IndicatorType, string> = {
  TTP_OBSERVED:
    'Confirm with the owner of the entity that these API calls were intended. If not, revoke the entity\'s active sessions (for a role, deny tokens issued before now with an aws:TokenIssueTime condition), deactivate its access keys, and undo the changes the calls made.',
  IMPOSSIBLE_TRAVEL:
    'Treat the credentials as shared or stolen: rotate the IAM user\'s keys and password, or revoke the role\'s sessions, then check whether either location is a known VPN or proxy egress before closing.',
  FLAGGED_IP_ADDRESS:
    'Block the address (SCP or permission-boundary condition on aws:SourceIp, network ACL, WAF), revoke the credentials used from it, and review everything done from that address in the scope.',
  NEW_GEOLOCATION:
    'Ask the entity\'s owner whether they worked from this location. If not, revoke its sessions and rotate its credentials; consider an SCP that denies access from unexpected regions or networks.',
  NEW_ASO:
    'Check whether the network (hosting provider, VPN, mobile carrier) is expected for this entity. Hosting and VPS providers are a common sign of credentials used off-device; restrict with aws:SourceIp or aws:SourceVpc conditions where the entity only runs from known networks.',
  NEW_USER_AGENT:
    'Identify the tool behind the new user agent. Hand-rolled HTTP clients (curl, python-requests) and offensive tooling on an account that normally uses the console or an SDK suggest stolen credentials: revoke sessions and rotate keys.',
  RELATED_FINDING:
    'Triage the related GuardDuty finding together with this investigation: it involves the same entity or an address it used. Archive it only once the activity is explained.',
  RELATED_FINDING_GROUP:
    'Investigate the finding group as one incident: contain every entity and address in it, not only the one investigated here.',
};

const TACTIC_MITIGATIONS: Record<string, string> = {
  'Initial Access': 'Enforce MFA on console sign-in and review who can sign in with these credentials.',
  Execution: 'Review the commands, functions or instances started and the roles they run with; stop what is not expected.',
  Persistence: 'Delete any IAM users, access keys, login profiles, roles or trust-policy changes created in scope that the owner does not recognise.',
  'Privilege Escalation': 'Roll back policy attachments and policy versions made in scope, and tighten who may modify IAM with permission boundaries.',
  'Defense Evasion': 'Re-enable the logging and detection that was changed (CloudTrail, flow logs, GuardDuty, Config) and protect it with an SCP.',
  'Credential Access': 'Rotate every secret, parameter or password the entity read in scope; the values must be treated as exposed.',
  Discovery: 'Discovery alone is low impact, but it usually precedes more: review the entity\'s next calls.',
  'Lateral Movement': 'Review the roles assumed and instances reached from this entity and revoke their sessions too.',
  Collection: 'Check which objects were read and whether the data was sensitive; consider S3 data-event logging and bucket policies that restrict access by network.',
  Exfiltration: 'Revert sharing of snapshots, images and buckets with outside accounts or the public, and check whether the outside party already copied them.',
  Impact: 'Restore deleted or encrypted resources from backups and protect backups with AWS Backup Vault Lock or S3 Object Lock.',
};

/** Technique-specific advice, where the tactic's would be too vague. */
const TECHNIQUE_MITIGATIONS: Record<string, string> = {
  [INSTANCE_CREDENTIALS_TECHNIQUE_ID]:
    'Revoke the instance role\'s sessions (deny tokens issued before now with an aws:TokenIssueTime condition), require IMDSv2 on the instance, and find how the credentials left it (SSRF, a compromised process, a user with shell access).',
};

/**
 * The mitigation for one indicator: technique- or tactic-specific for TTPs, else the indicator type's. A
 * TTP whose calls all failed changed nothing: the advice says so and points at the attempt instead.
 */
export function recommendedMitigation(indicator: Indicator): string | undefined {
  if (!indicator.IndicatorType) return undefined;
  const ttp = indicator.IndicatorDetail?.TTPsObservedDetail;
  if (indicator.IndicatorType !== 'TTP_OBSERVED' || !ttp) return RECOMMENDED_MITIGATIONS[indicator.IndicatorType];
  if ((ttp.APISuccessCount ?? 0) === 0 && (ttp.APIFailureCount ?? 0) > 0) {
    return `Every call failed, so nothing was changed by them: find out who tried ${ttp.APIName ?? 'these calls'} and why, and keep the permissions that stopped it. Repeated denied attempts are typical of stolen credentials being probed.`;
  }
  if (ttp.Procedure === CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE) {
    return 'Require MFA for this user (an IAM policy that denies everything without aws:MultiFactorAuthPresent), check that the sign-in was the owner\'s, and reset the password if not.';
  }
  const byTechnique = TECHNIQUE_MITIGATIONS[techniqueIdOf(ttp.Technique) ?? ''];
  if (byTechnique) return byTechnique;
  if (ttp.Tactic && TACTIC_MITIGATIONS[ttp.Tactic]) return TACTIC_MITIGATIONS[ttp.Tactic];
  return RECOMMENDED_MITIGATIONS.TTP_OBSERVED;
}
