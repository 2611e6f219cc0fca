import { createHash } from 'node:crypto';
import { normalizeRoleArn, parseArn } from '../cloudtrail/arn';
import type { RelatedFindingGroupIndicator, RelatedFindingIndicator } from './detective-types';
import { parseIp } from './ip-address';

/**
 * RELATED_FINDING and RELATED_FINDING_GROUP: GuardDuty findings active during the scope that name the same IAM
 * entity (or one of its access keys), or that share a remote IP address with the entity's activity in scope.
 * Groups are findings connected by a shared entity, access key, remote IP or an explicit group id (e.g. a
 * GuardDuty attack sequence), a simple stand-in for Detective's graph-built finding groups.
 */

export interface GuardDutyFindingSummary {
  id: string;
  /** Detective identifies related findings by ARN. */
  arn: string;
  type: string;
  /** GuardDuty's numeric severity (1.0–10.0). */
  severity: number;
  createdAt?: string;
  updatedAt: string;
  /** `service.eventFirstSeen` / `service.eventLastSeen`: when the activity behind the finding happened. */
  firstSeen?: string;
  lastSeen?: string;
  /** IAM user or role ARNs the finding is about (any form: with path, or an assumed-role ARN). */
  entityArns: string[];
  accessKeyIds?: string[];
  remoteIps: string[];
  /** A grouping known upstream (attack sequence id, Detective finding group id). */
  groupId?: string;
  /** The investigation the GuardDuty trigger started on the finding (the Findings table's claim), when known. */
  investigationId?: string;
}

export interface RelatedFindingsInput {
  /** The investigated IAM user or role. */
  entityArn: string;
  scopeStart: string;
  scopeEnd: string;
  /** Source addresses the entity used in scope. */
  scopeIps: Iterable<string>;
  /** Access keys the entity used in scope (session ids, IAM user keys). */
  scopeAccessKeyIds?: Iterable<string>;
  findings: readonly GuardDutyFindingSummary[];
}

export interface RelatedFinding {
  finding: GuardDutyFindingSummary;
  reasons: ('entity' | 'access-key' | 'ip')[];
  sharedIps: string[];
}

export interface RelatedFindingsResult {
  related: RelatedFinding[];
  groups: { id: string; findingIds: string[] }[];
  indicators: (RelatedFindingIndicator | RelatedFindingGroupIndicator)[];
}

/** Path-less, session-less form: roles and assumed roles → `role/Name`, users with a path → `user/Name`. */
export function normalizeEntityArn(arn: string): string {
  const parsed = parseArn(arn);
  if (parsed?.service === 'iam' && parsed.resource.startsWith('user/')) {
    return `arn:${parsed.partition}:iam::${parsed.accountId}:user/${parsed.resource.split('/').pop()}`;
  }
  return normalizeRoleArn(arn) ?? arn;
}

function canonicalIp(source: string): string | undefined {
  return parseIp(source)?.toString();
}

function inScope(finding: GuardDutyFindingSummary, start: number, end: number): boolean {
  const from = Date.parse(finding.firstSeen ?? finding.createdAt ?? finding.updatedAt);
  const to = Date.parse(finding.lastSeen ?? finding.updatedAt);
  if (Number.isNaN(from) || Number.isNaN(to)) return false;
  return from <= end && to >= start;
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = this.parent.get(x) ?? x;
    if (root !== x) root = this.find(root);
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

/** Deterministic id of a computed group: the same findings always give the same id. */
export function findingGroupId(findingIds: readonly string[]): string {
  return `trailhound-fg-${createHash('sha256').update([...findingIds].sort().join('\n')).digest('hex').slice(0, 24)}`;
}

export function analyzeRelatedFindings(input: RelatedFindingsInput): RelatedFindingsResult {
  const start = Date.parse(input.scopeStart);
  const end = Date.parse(input.scopeEnd);
  const entity = normalizeEntityArn(input.entityArn);
  const scopeIps = new Set([...input.scopeIps].map(canonicalIp).filter((ip): ip is string => ip !== undefined));
  const scopeKeys = new Set(input.scopeAccessKeyIds ?? []);
  const findings = input.findings.filter((finding) => inScope(finding, start, end));

  const related: RelatedFinding[] = [];
  for (const finding of findings) {
    const reasons: RelatedFinding['reasons'] = [];
    if (finding.entityArns.some((arn) => normalizeEntityArn(arn) === entity)) reasons.push('entity');
    if ((finding.accessKeyIds ?? []).some((key) => scopeKeys.has(key))) reasons.push('access-key');
    const sharedIps = [...new Set(finding.remoteIps.map(canonicalIp).filter((ip): ip is string => ip !== undefined && scopeIps.has(ip)))].sort();
    if (sharedIps.length > 0) reasons.push('ip');
    if (reasons.length > 0) related.push({ finding, reasons, sharedIps });
  }
  related.sort((a, b) => b.finding.severity - a.finding.severity || b.finding.updatedAt.localeCompare(a.finding.updatedAt) || a.finding.id.localeCompare(b.finding.id));

  // Connect findings through what they share; a group matters when it holds a related finding and more than one finding.
  const uf = new UnionFind();
  for (const finding of findings) {
    const node = `f:${finding.id}`;
    uf.find(node);
    for (const arn of finding.entityArns) uf.union(node, `e:${normalizeEntityArn(arn)}`);
    for (const key of finding.accessKeyIds ?? []) uf.union(node, `k:${key}`);
    for (const ip of finding.remoteIps) {
      const canonical = canonicalIp(ip);
      if (canonical) uf.union(node, `i:${canonical}`);
    }
    if (finding.groupId) uf.union(node, `g:${finding.groupId}`);
  }
  const components = new Map<string, GuardDutyFindingSummary[]>();
  for (const finding of findings) {
    const root = uf.find(`f:${finding.id}`);
    const members = components.get(root);
    if (members) members.push(finding);
    else components.set(root, [finding]);
  }
  const relatedIds = new Set(related.map((r) => r.finding.id));
  const groups = [...components.values()]
    .filter((members) => members.length > 1 && members.some((f) => relatedIds.has(f.id)))
    .map((members) => {
      const findingIds = members.map((f) => f.id).sort();
      const explicit = [...new Set(members.map((f) => f.groupId).filter((id): id is string => !!id))];
      return { id: explicit.length === 1 ? explicit[0] : findingGroupId(findingIds), findingIds };
    })
    .sort((a, b) => a.id.localeCompare(b.id));

  const indicators: (RelatedFindingIndicator | RelatedFindingGroupIndicator)[] = [
    ...related.map(({ finding, sharedIps }): RelatedFindingIndicator => {
      const ip = sharedIps[0] ?? finding.remoteIps.map(canonicalIp).find((x) => x !== undefined);
      return {
        IndicatorType: 'RELATED_FINDING',
        IndicatorDetail: { RelatedFindingDetail: { Arn: finding.arn, Type: finding.type, ...(ip ? { IpAddress: ip } : {}) } },
      };
    }),
    ...groups.map((group): RelatedFindingGroupIndicator => ({ IndicatorType: 'RELATED_FINDING_GROUP', IndicatorDetail: { RelatedFindingGroupDetail: { Id: group.id } } })),
  ];
  return { related, groups, indicators };
}

/* ---------- Reading GuardDuty findings as GuardDuty emits them (EventBridge `detail`, GetFindings output) ---------- */

type Json = Record<string, unknown>;

/** Field access that accepts both EventBridge's camelCase and the API's PascalCase. */
function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Json;
  return record[name] ?? record[name.charAt(0).toUpperCase() + name.slice(1)];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function remoteIpsOf(action: unknown): string[] {
  const ips: string[] = [];
  const fromDetails = (details: unknown) => {
    for (const key of ['ipAddressV4', 'ipAddressV6']) {
      const ip = str(field(details, key));
      if (ip) ips.push(ip);
    }
  };
  for (const kind of ['awsApiCallAction', 'networkConnectionAction', 'kubernetesApiCallAction', 'rdsLoginAttemptAction']) {
    fromDetails(field(field(action, kind), 'remoteIpDetails'));
  }
  const probes = field(field(action, 'portProbeAction'), 'portProbeDetails');
  if (Array.isArray(probes)) for (const probe of probes) fromDetails(field(probe, 'remoteIpDetails'));
  return [...new Set(ips)];
}

/**
 * Turns a GuardDuty finding (the `detail` of an EventBridge "GuardDuty Finding" event, or one element of
 * GetFindings' Findings) into a summary. The IAM entity comes from resource.accessKeyDetails, which names the
 * user or role but not its ARN: the ARN is rebuilt from the finding's partition and account.
 */
export function summarizeGuardDutyFinding(finding: unknown): GuardDutyFindingSummary | undefined {
  const id = str(field(finding, 'id'));
  const arn = str(field(finding, 'arn'));
  const type = str(field(finding, 'type'));
  const updatedAt = str(field(finding, 'updatedAt'));
  const severity = field(finding, 'severity');
  if (!id || !arn || !type || !updatedAt || typeof severity !== 'number') return undefined;
  const partition = str(field(finding, 'partition')) ?? parseArn(arn)?.partition ?? 'aws';
  const accountId = str(field(finding, 'accountId')) ?? parseArn(arn)?.accountId;
  const keyDetails = field(field(finding, 'resource'), 'accessKeyDetails');
  const userName = str(field(keyDetails, 'userName'));
  const userType = str(field(keyDetails, 'userType'));
  const accessKeyId = str(field(keyDetails, 'accessKeyId'));
  const entityArns: string[] = [];
  if (userName && accountId) {
    if (userType === 'IAMUser') entityArns.push(`arn:${partition}:iam::${accountId}:user/${userName}`);
    else if (userType === 'AssumedRole' || userType === 'Role') entityArns.push(`arn:${partition}:iam::${accountId}:role/${userName}`);
    else if (userType === 'Root') entityArns.push(`arn:${partition}:iam::${accountId}:root`);
  }
  const service = field(finding, 'service');
  const summary: GuardDutyFindingSummary = {
    id,
    arn,
    type,
    severity,
    updatedAt,
    entityArns,
    remoteIps: remoteIpsOf(field(service, 'action')),
  };
  const createdAt = str(field(finding, 'createdAt'));
  const firstSeen = str(field(service, 'eventFirstSeen'));
  const lastSeen = str(field(service, 'eventLastSeen'));
  if (createdAt) summary.createdAt = createdAt;
  if (firstSeen) summary.firstSeen = firstSeen;
  if (lastSeen) summary.lastSeen = lastSeen;
  if (accessKeyId && accessKeyId !== 'GeneratedFindingAccessKeyId') summary.accessKeyIds = [accessKeyId];
  return summary;
}
