import type { ApiCallVolumeResponse } from '../lambdas/core/graph/volume';
import type { ListIndicatorEvidenceResponse } from '../lambdas/api/graph-operations';
import type { LocalApi } from './http/server';
import { escapeCsvForTerminal } from './terminal-text';

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

/** `npm start -- evidence … --csv events|flows [--out FILE]`: every page of the API's evidence CSV. */
export interface EvidenceCsvCommand {
  investigationId: string;
  indicatorType: string;
  index: number;
  kind: 'EVENTS' | 'FLOWS';
}

/** An API error, printed as its type and message (never a stack: it is the user's input that was refused). */
export class ApiCommandError extends Error {}

type ApiResult = Awaited<ReturnType<LocalApi>>;

async function post(api: LocalApi, path: string, body: unknown, accept?: string): Promise<ApiResult> {
  const headers = { 'content-type': 'application/json', ...(accept ? { accept } : {}) };
  const result = await api({ method: 'POST', url: path, headers, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' });
  if (result.statusCode >= 400) {
    let message = '';
    try {
      const parsed = JSON.parse(result.body || '{}') as { Message?: string; message?: string };
      message = parsed.Message ?? parsed.message ?? '';
    } catch {
      // Not JSON: the status alone says it.
    }
    throw new ApiCommandError(`${String(result.headers?.['x-amzn-ErrorType'] ?? result.statusCode)}: ${message}`);
  }
  return result;
}

async function call<T>(api: LocalApi, path: string, body: unknown): Promise<T> {
  return JSON.parse((await post(api, path, body)).body || '{}') as T;
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

/** Pages of 50 rows, as the console's CSV downloads read them (console/src/components/evidence-csv.tsx). */
export const EVIDENCE_CSV_PAGE_SIZE = 50;
/**
 * At most 2,000 pages (100,000 rows) a file. The console stops at 10,000 rows, since it holds the file in
 * memory; here each page is written as it comes, but the API recomputes the indicator's evidence for every page,
 * so an export is bounded all the same.
 */
export const EVIDENCE_CSV_MAX_PAGES = 2_000;

export interface EvidenceCsvOptions {
  /** Where the CSV goes, a page at a time. */
  write: (text: string) => void | Promise<void>;
  /** The output is a terminal: control and bidi characters from logs are shown escaped, and rows end in LF. */
  terminal?: boolean;
  pageSize?: number;
  maxPages?: number;
}

export interface EvidenceCsvResult {
  rows: number;
  pages: number;
  /** Every page was read (false: the page bound was reached, and the file holds the first pages only). */
  complete: boolean;
}

/**
 * Follows every page of listIndicatorEvidence with `Accept: text/csv` and EvidenceKind EVENTS or FLOWS (the
 * next page's token in the `x-next-token` header) and writes the API's CSV as it came: the first page whole,
 * then each page's rows without its header line (fixed column names, never quoted, so its first CRLF ends it).
 * Nothing is re-rendered: cells a spreadsheet would run are defused by the API (core/graph/csv.ts). That encoder
 * quotes cells with CR or LF but lets other control characters (ESC) and bidi controls through, so on a
 * terminal the text goes through escapeCsvForTerminal.
 */
export async function writeEvidenceCsv(api: LocalApi, command: EvidenceCsvCommand, options: EvidenceCsvOptions): Promise<EvidenceCsvResult> {
  const pageSize = options.pageSize ?? EVIDENCE_CSV_PAGE_SIZE;
  const maxPages = options.maxPages ?? EVIDENCE_CSV_MAX_PAGES;
  const request = { InvestigationId: command.investigationId, IndicatorType: command.indicatorType, IndicatorIndex: command.index, EvidenceKind: command.kind, MaxResults: pageSize };
  let header: string | undefined;
  let rows = 0;
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await post(api, '/investigations/listIndicatorEvidence', token ? { ...request, NextToken: token } : request, 'text/csv');
    const contentType = String(result.headers?.['Content-Type'] ?? result.headers?.['content-type'] ?? '');
    if (!contentType.startsWith('text/csv')) throw new ApiCommandError(`the API answered ${contentType || 'no content type'}, not CSV`);
    const csv = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
    const headerEnd = csv.indexOf('\r\n');
    if (headerEnd < 0) throw new ApiCommandError('the API answered a CSV page without a header line');
    const pageHeader = csv.slice(0, headerEnd);
    if (header !== undefined && pageHeader !== header) throw new ApiCommandError('the API answered CSV pages with different header lines');
    const text = header === undefined ? csv : csv.slice(headerEnd + 2);
    header = pageHeader;
    // Rows end in CRLF and cells holding CR or LF are quoted: outside quotes, a CRLF ends a row.
    rows += countRecords(csv.slice(headerEnd + 2));
    if (text) await options.write(options.terminal ? escapeCsvForTerminal(text) : text);
    const next = result.headers?.['x-next-token'];
    token = next === undefined ? undefined : String(next);
    if (!token) return { rows, pages: page + 1, complete: true };
  }
  return { rows, pages: maxPages, complete: false };
}

/** The records of CSV text (each ending in CRLF outside quotes). */
function countRecords(csv: string): number {
  let count = 0;
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    if (csv[i] === '"') quoted = !quoted;
    else if (!quoted && csv[i] === '\r' && csv[i + 1] === '\n') count++;
  }
  return count;
}
