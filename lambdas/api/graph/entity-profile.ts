import { parseGetEntityProfile, type EntityProfileRequest } from '../../core/graph/requests';
import type { ProfileDependencies } from './dependencies';
import { accountProfile, instanceProfile, roleSessionProfile } from './other-profiles';
import { sessionPanel, volumePanel } from './panels';
import { principalProfile } from './principal-profile';
import { bucketProfile, ipAddressProfile, userAgentProfile } from './value-profiles';

/**
 * POST /graph/getEntityProfile: Detective's profile panels of one entity in a scope. Every read is a Query or
 * GetItem on keys, and costs what the entity did in the scope (plus, for roles and users, the baseline once).
 */
export async function getEntityProfile(deps: ProfileDependencies, body: unknown): Promise<object> {
  const request = parseGetEntityProfile(body, { nowMillis: deps.now(), retentionDays: deps.retentionDays, maxScopeDays: deps.maxScopeDays });
  return { EntityType: request.entityType, EntityId: request.entityId, ScopeStartTime: request.from, ScopeEndTime: request.to, ...(await panels(deps, request)) };
}

function panels(deps: ProfileDependencies, { entityType, entityId, from, to }: EntityProfileRequest): Promise<object> {
  switch (entityType) {
    case 'IAM_ROLE':
    case 'IAM_USER':
      return principalProfile(deps, entityType, entityId, from, to);
    case 'ROLE_SESSION':
      return roleSessionProfile(deps, entityId, from, to);
    case 'FEDERATED_USER':
      return federatedUserProfile(deps, entityId, from, to);
    case 'EC2_INSTANCE':
      return instanceProfile(deps, entityId, from, to);
    case 'IP_ADDRESS':
      return ipAddressProfile(deps, entityId, from, to);
    case 'USER_AGENT':
      return userAgentProfile(deps, entityId, from, to);
    case 'S3_BUCKET':
      return bucketProfile(deps, entityId, from, to);
    case 'AWS_ACCOUNT':
      return accountProfile(deps, entityId, from, to);
  }
}

/** A federated identity calls through the role sessions it received: those sessions and their calls. */
async function federatedUserProfile(deps: ProfileDependencies, originKey: string, from: string, to: string) {
  const sessions = await deps.queries.sessionsFromOrigin(originKey, from, to);
  const activity = await deps.queries.activityOfSessions(sessions, from, to);
  return { RoleSessions: sessions.map((s) => sessionPanel(s)), ApiCallVolume: volumePanel(activity.totals, activity.hourly) };
}
