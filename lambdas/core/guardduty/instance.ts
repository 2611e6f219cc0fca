import { normalizeRoleArn, parseArn } from '../cloudtrail/arn';
import type { EntityMapping } from './entity';
import { at, isObject, text } from './json';

/**
 * EC2 findings. GuardDuty names the instance (`resource.instanceDetails`) and its instance profile, but not the
 * IAM role behind the profile: a profile ARN (`…:instance-profile/web-server-profile`) is not a role ARN, and
 * the profile's role can change over the instance's life. The role whose credentials the instance really held
 * is the issuer of the sessions EC2 created for it (session name = instance id), which the ingested CloudTrail
 * holds. So an EC2 finding resolves to a role in two steps: this file says which instance to look up, the
 * trigger reads that instance's sessions, and `roleOfInstanceSessions` picks the role.
 */
export interface FindingInstance {
  instanceId: string;
  /** `iamInstanceProfile.arn`: kept for the record and for naming the profile in skip reasons; never investigated. */
  instanceProfileArn?: string;
  /** The instance's ENIs, for flow-log lookups. */
  networkInterfaceIds: string[];
}

/** Instance ids as EC2 issues them (8 or 17 hex digits); anything else cannot match a session name. */
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ENI_ID = /^eni-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** IAM's documented character set for paths and names (instance-profile names are at most 128, paths 512). */
const INSTANCE_PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]{1,640}$/;
/** An instance has at most a few dozen ENIs; a hostile finding must not make the record grow without bound. */
const MAX_NETWORK_INTERFACES = 32;

export function instanceOf(resource: unknown): FindingInstance | undefined {
  const details = at(resource, 'instanceDetails');
  const instanceId = text(at(details, 'instanceId'));
  if (!instanceId || !INSTANCE_ID.test(instanceId)) return undefined;
  const instance: FindingInstance = { instanceId, networkInterfaceIds: [] };
  const profileArn = text(at(details, 'iamInstanceProfile', 'arn'));
  // Checked by shape: the ARN ends up in skip reasons that terminals and pages show.
  if (profileArn && INSTANCE_PROFILE_ARN.test(profileArn)) instance.instanceProfileArn = profileArn;
  const interfaces = at(details, 'networkInterfaces');
  if (Array.isArray(interfaces)) {
    const ids = interfaces.filter(isObject).map((eni) => text(eni.networkInterfaceId)).filter((id): id is string => id !== undefined && ENI_ID.test(id));
    instance.networkInterfaceIds = [...new Set(ids)].slice(0, MAX_NETWORK_INTERFACES);
  }
  return instance;
}

/**
 * Finding families whose EC2 instance is investigated through its role: the instance is the actor or has been
 * compromised (C&C traffic, mining, Tor, trojans, brute force or exfiltration from it, unusual behaviour,
 * runtime detections). `Recon:` findings are the exception: the instance is only the target of someone else's
 * probe (`Recon:EC2/PortProbeUnprotectedPort`) and did nothing, so its role has nothing to show.
 */
const INSTANCE_FINDING = /^(?!Recon:)[A-Za-z]+:(?:EC2|Runtime)\//;

/**
 * The instance to look up when the finding does not already name an IAM role or user through its access key
 * details, or undefined when the finding is not about what an instance did. InstanceCredentialExfiltration
 * findings name the role in `accessKeyDetails` (userType AssumedRole) and resolve without a lookup; when such a
 * finding lacks the role name, its instance is looked up like an EC2 finding's.
 */
export function instanceToResolve(type: string, instance: FindingInstance | undefined, entity: EntityMapping): FindingInstance | undefined {
  if (!instance || entity.kind === 'entity') return undefined;
  if (INSTANCE_FINDING.test(type) || /^UnauthorizedAccess:IAMUser\/InstanceCredentialExfiltration/.test(type)) return instance;
  return undefined;
}

/** What the trigger learned about an instance's sessions (see ports.ts). */
export interface InstanceSession {
  /** The role EC2 assumed for the instance (path-less role ARN, as the tables key it). */
  issuerArn: string;
  createdAt: string;
  accountId?: string;
}

/**
 * The role to investigate, from the instance's sessions in the finding's scope. One role is the normal case.
 * When the profile's role was changed within the scope there are several: the one holding the most recent
 * session is the one the instance ran with at the finding's end, and the reason lists the others.
 */
export function roleOfInstanceSessions(instance: FindingInstance, sessions: readonly InstanceSession[], scope: { from: string; to: string }): EntityMapping {
  const roles = new Map<string, string>();
  for (const session of sessions) {
    const parsed = parseArn(session.issuerArn);
    const role = parsed?.service === 'iam' && parsed.resource.startsWith('role/') ? normalizeRoleArn(session.issuerArn) : undefined;
    if (!role) continue;
    const latest = roles.get(role);
    if (latest === undefined || session.createdAt > latest) roles.set(role, session.createdAt);
  }
  if (roles.size === 0) {
    const profile = instance.instanceProfileArn ? ` (instance profile ${instance.instanceProfileArn})` : ' (the finding names no instance profile)';
    return {
      kind: 'none',
      reason: `no instance-profile session of EC2 instance ${instance.instanceId}${profile} in the ingested CloudTrail between ${scope.from} and ${scope.to}: the role behind the instance is unknown`,
    };
  }
  const [role] = [...roles.entries()].sort(([arnA, a], [arnB, b]) => (a === b ? arnA.localeCompare(arnB) : b.localeCompare(a)))[0]!;
  return { kind: 'entity', entityArn: role, entityType: 'IAM_ROLE' };
}
