import type { ApiCallVolumeResponse } from '../lambdas/core/graph/volume';
import type { ListIndicatorEvidenceResponse } from '../lambdas/api/graph-operations';
import type { LocalApi } from './http/server';

/**
 * `npm start -- volume …` and `npm start -- evidence …`: the graph routes from the terminal, through the same
 * handler as the HTTP API (in process, no port). They return lines; the caller prints them with printLines,
 * which escapes what log data (attacker-written) holds. `--json` prints the API's answer as is.
 */
export interface VolumeCommand {
  entityType: string;
  entityId: string;
  from: string;
  to: string;
  granularity: string;
  groupBy?: string;
  json: boolean;
}

export interface EvidenceCommand {
  investigationId: string;
  indicatorType: string;
  index: number;
  json: boolean;
}

/** An API error, printed as its type and message (never a stack: it is the user's input that was refused). */
export class ApiCommandError extends Error {}

async function call<T>(api: LocalApi, path: string, body: unknown): Promise<T> {
  const result = await api({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' });
  const parsed = JSON.parse(result.body || '{}') as T & { Message?: string };
  if (result.statusCode >= 400) throw new ApiCommandError(`${String(result.headers?.['x-amzn-ErrorType'] ?? result.statusCode)}: ${parsed.Message ?? ''}`);
  return parsed;
}

const json = (value: unknown): string[] => JSON.stringify(value, null, 2).split('\n');

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

export async function volumeLines(api: LocalApi, command: VolumeCommand): Promise<string[]> {
  const response = await call<ApiCallVolumeResponse>(api, '/graph/getApiCallVolume', {
    EntityType: command.entityType,
    EntityId: command.entityId,
    ScopeStartTime: command.from,
    ScopeEndTime: command.to,
    Granularity: command.granularity,
    ...(command.groupBy ? { GroupBy: command.groupBy } : {}),
  });
  if (command.json) return json(response);
  const lines = [`${response.EntityType} ${response.EntityId}  ${response.ScopeStartTime} – ${response.ScopeEndTime}  per ${response.Granularity.toLowerCase()}`, `  ${response.SuccessCount} succeeded, ${response.FailureCount} failed`, ''];
  const series = (points: ApiCallVolumeResponse['Series'], indent: string) => points.map((p) => `${indent}${p.Time}  ${pad(p.SuccessCount, 7)} ok  ${pad(p.FailureCount, 6)} failed`);
  if (!response.Groups) return [...lines, ...series(response.Series, '  ')];
  for (const group of response.Groups) lines.push(`  ${group.Value === '' ? '(none)' : group.Value}: ${group.SuccessCount} ok, ${group.FailureCount} failed`, ...series(group.Series, '    '));
  if (response.OtherGroupCount) lines.push(`  … and ${response.OtherGroupCount} more groups (in the totals above)`);
  return lines;
}

export async function evidenceLines(api: LocalApi, command: EvidenceCommand): Promise<string[]> {
  const events: ListIndicatorEvidenceResponse['Events'] = [];
  const flows: NonNullable<ListIndicatorEvidenceResponse['FlowEvidence']> = [];
  let first: ListIndicatorEvidenceResponse | undefined;
  let NextToken: string | undefined;
  do {
    const page: ListIndicatorEvidenceResponse = await call(api, '/investigations/listIndicatorEvidence', {
      InvestigationId: command.investigationId,
      IndicatorType: command.indicatorType,
      IndicatorIndex: command.index,
      MaxResults: 50,
      ...(NextToken ? { NextToken } : {}),
    });
    first ??= page;
    events.push(...page.Events);
    flows.push(...(page.FlowEvidence ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  if (command.json) return json({ ...first, Events: events, ...(first.FlowEvidence ? { FlowEvidence: flows } : {}), NextToken: undefined });
  const detail = Object.values(first.Indicator.IndicatorDetail)[0] as Record<string, unknown>;
  const lines = [`${command.indicatorType} #${command.index}: ${Object.entries(detail).map(([k, v]) => `${k}=${String(v)}`).join('  ')}`, `  ${events.length} events`, ''];
  for (const e of events) {
    lines.push(`  ${e.EventTime}  ${e.Api}  ${e.SourceIpAddress ?? '-'}  ${e.ErrorCode ?? 'ok'}  ${e.EventId}`);
    lines.push(`      by ${e.Principal}${e.SessionId ? ` (session ${e.SessionId})` : ''}${e.Via ? ` through ${e.Via}` : ''}`);
    lines.push(`      record ${e.RecordIndex} of ${e.LogObject ? `s3://${e.LogObject.Bucket}/${e.LogObject.Key}` : '(unknown object)'}: ${e.RecordStatus}`);
    // An IAM change: the permission fact it produced (issue 11).
    for (const fact of e.PermissionFacts ?? []) lines.push(`      ⇒ ${fact.Says}`);
  }
  // A flagged address's VPC flows with the entity's instances (listIndicatorEvidence's FlowEvidence).
  if (flows.length) {
    lines.push(`  VPC flows with the entity's instances: ${flows.length} instance-hours`);
    for (const f of flows) lines.push(`  ${f.Hour}  ${f.InstanceId} (${f.InterfaceId})  in ${f.BytesIn} B  out ${f.BytesOut + f.BytesUnknownDirection} B  ${f.Flows} flows, ${f.RejectedFlows} rejected  ${f.Ports.join(' ')}`);
  }
  return lines;
}
