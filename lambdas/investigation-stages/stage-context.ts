import { GetObjectCommand } from '@aws-sdk/client-s3';
import { dynamoDocumentClient, s3 } from '../adapters/aws-clients';
import { normalizeRoleArn } from '../core/cloudtrail/arn';
import { subjectOfSession } from '../core/cloudtrail/activity';
import { userActivity, type EntityActivity } from '../core/queries/entity-activity';
import type { ActivityItem } from '../core/model/items';
import type { SessionView } from '../core/queries/session-view';
import { geoLookupFromEnv } from '../adapters/geo';
import { InvestigationStore } from '../adapters/investigations/investigation-store';
import { threatIntelFromEnv, threatIntelMatcherFromTexts, type LoadedThreatIntel } from '../adapters/threat-intel';
import { analysisConfigFromEnv, type AnalysisConfig, type GeoLookup, type GuardDutyFindingSummary } from '../core/analysis';
import { GuardDutyFindingsReader } from '../adapters/guardduty-findings';
import { FindingsStore } from '../adapters/findings/findings-store';
import { FINDINGS_TABLE } from '../shared/table-design';
import type { InvestigationExecutionInput } from '../core/investigation/model';
import { TrailQueries, indexBucketFromEnv, tableNamesFromEnv } from '../queries/trail-queries';
import { FlowQueries, dynamoFlowItems } from '../queries/flow-queries';
import { EventsStore } from '../adapters/events-store';

/**
 * What every stage receives (keys only: Step Functions payloads stay small whatever the scope) and the
 * adapters the stages share, built once per Lambda container from its environment.
 */
export interface ResolvedScope {
  /** Activity subject of the entity: `role#<arn>` or `iam-user#<arn>`. */
  principalKey: string;
  /** Account-wide activity subject, the baseline for "new for the entire account". */
  accountSubject: string;
  accountId: string;
  baselineStartTime: string;
  baselineEndTime: string;
  /** Whether the baseline window holds enough history for "new" indicators to mean something. */
  baselineMature: boolean;
  sessionCount: number;
  sessionsWithoutCreationEvent: number;
  rootPrincipals: string[];
}

export interface StageInput extends InvestigationExecutionInput {
  scope: ResolvedScope;
}

export interface StageResult {
  stage: string;
  indicators: Record<string, number>;
}

/** Where related GuardDuty findings come from: the trigger's findings table, the GuardDuty API. */
export interface FindingSource {
  findingsFor(entityArn: string, from: string, to: string, scopeIps: readonly string[]): Promise<GuardDutyFindingSummary[]>;
}

export interface StageDependencies {
  queries: TrailQueries;
  /** The VPC flow-log reads (same Activity table); absent in stand-ins that have no flow data. */
  flows?: FlowQueries;
  findingSources: FindingSource[];
  store: InvestigationStore;
  geo: GeoLookup;
  config: AnalysisConfig;
  threatIntel(): Promise<LoadedThreatIntel>;
}

let dependencies: StageDependencies | undefined;
let threatIntelFromS3: Promise<LoadedThreatIntel> | undefined;

/** `THREAT_INTEL_S3_URIS` (deployed) names lists in S3; `THREAT_INTEL_FILES` (local) names files. */
export const THREAT_INTEL_S3_ENV = 'THREAT_INTEL_S3_URIS';

async function loadThreatIntel(env: NodeJS.ProcessEnv): Promise<LoadedThreatIntel> {
  const uris = (env[THREAT_INTEL_S3_ENV] ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  if (uris.length === 0) return threatIntelFromEnv(env);
  threatIntelFromS3 ??= Promise.all(
    uris.map(async (uri) => {
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      if (!match) throw new Error(`${THREAT_INTEL_S3_ENV}: "${uri}" is not an s3://bucket/key URI`);
      const output = await s3().send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }));
      return { name: uri, text: (await output.Body?.transformToString('utf8')) ?? '' };
    }),
  ).then((texts) => threatIntelMatcherFromTexts(texts));
  return threatIntelFromS3;
}

export function stageDependencies(env: NodeJS.ProcessEnv = process.env): StageDependencies {
  dependencies ??= {
    queries: new TrailQueries(dynamoDocumentClient(), tableNamesFromEnv(env), new EventsStore(s3(), indexBucketFromEnv(env))),
    flows: new FlowQueries(dynamoFlowItems(dynamoDocumentClient(), tableNamesFromEnv(env).activity)),
    findingSources: findingSourcesFromEnv(env),
    store: InvestigationStore.fromEnvironment(env),
    geo: geoLookupFromEnv(env),
    config: analysisConfigFromEnv(env),
    threatIntel: () => loadThreatIntel(env),
  };
  return dependencies;
}

/** `GUARDDUTY_API_FINDINGS=true` (set by the stack) adds the GuardDuty API to the trigger's findings table. */
export const GUARDDUTY_API_ENV = 'GUARDDUTY_API_FINDINGS';

function findingSourcesFromEnv(env: NodeJS.ProcessEnv): FindingSource[] {
  const sources: FindingSource[] = [];
  if (env[FINDINGS_TABLE.envVar]) sources.push(FindingsStore.fromEnvironment(env));
  if (env[GUARDDUTY_API_ENV] === 'true') sources.push(new GuardDutyFindingsReader());
  return sources;
}

/** For the local mode and tests, which change the environment (endpoints, tables) between runs. */
export function resetStageDependencies(): void {
  dependencies = undefined;
  threatIntelFromS3 = undefined;
}

export function countByType(indicators: readonly { IndicatorType: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const indicator of indicators) counts[indicator.IndicatorType] = (counts[indicator.IndicatorType] ?? 0) + 1;
  return counts;
}

/**
 * The entity's activity in scope, every call once, one aggregate per hour, session and source address (read
 * from the compacted events, so calls are attributed to the address that made them). A role's is read per
 * session; an IAM user's is its own calls plus every call made through the sessions it started, directly or
 * through role chains, each chained part labelled with the role session it came through
 * (see core/queries/entity-activity).
 */
export async function activityBySession(input: StageInput, deps: StageDependencies): Promise<{ sessions: SessionView[]; activity: EntityActivity[] }> {
  const { scopeStartTime: from, scopeEndTime: to } = input;
  if (input.entityType !== 'IAM_ROLE') {
    const [ownItems, sessions] = await Promise.all([deps.queries.activityItems(input.scope.principalKey, from, to, { bySource: true }), deps.queries.sessionsFromOrigin(input.scope.principalKey, from, to)]);
    // One read of each principal's events for all its sessions (storage v2), then grouped per session.
    const perSession = new Map<string, ActivityItem[]>();
    for (const item of await deps.queries.sessionActivity(sessions, from, to, { bySource: true })) {
      const list = perSession.get(item.subject) ?? [];
      list.push(item);
      perSession.set(item.subject, list);
    }
    const withItems = sessions.map((session) => ({ session, items: perSession.get(subjectOfSession(session.sessionId)) ?? [] }));
    return { sessions, activity: userActivity({ ownItems, sessions: withItems }) };
  }
  const sessions = await deps.queries.sessionsOfRole(normalizeRoleArn(input.entityArn) ?? input.entityArn, from, to);
  return { sessions, activity: await deps.queries.sessionActivity(sessions, from, to, { bySource: true }) };
}
