import { CsvDocument, toCsv } from '../../core/graph/csv';
import { parseListFindings, type ListFindingsRequest } from '../../core/graph/requests';
import {
  daysOf,
  FINDINGS_CSV_HEADER,
  findingCsvRows,
  isFindingListPosition,
  matchesFilter,
  toListedFinding,
  type FindingListPosition,
  type ListedFinding,
  type ListedFindingItem,
} from '../../core/guardduty/finding-list';
import type { TokenKeySource } from '../../core/investigation/ports';
import { decodeNextToken, encodeNextToken, requestFingerprint } from '../../core/investigation/pagination';
import { formatTimestamp } from '../../core/investigation/time';
import type { DayPage } from '../../adapters/findings/listing';

/**
 * POST /graph/listFindings: the GuardDuty findings that arrived through the trigger and were updated within
 * the scope, newest first, each with what the trigger did (STARTED and the investigation id, SKIPPED and
 * why, or PENDING). Reads are Queries of the `byDay` index, a day at a time, from the scope's end back.
 */
export interface FindingListReads {
  /** A day's findings with sort keys in [lower, upper], newest first, strictly below `after` when given. */
  day(day: string, lower: string, upper: string, limit: number, after?: string): Promise<DayPage>;
}

export interface ListFindingsDependencies {
  listing: FindingListReads;
  tokenKeys: TokenKeySource;
  now(): number;
}

export interface ListFindingsResponse {
  Findings: ListedFinding[];
  NextToken?: string;
}

/** Days queried at once: most are empty (findings are few), so they are read in parallel, newest first. */
const DAYS_AT_ONCE = 8;
/** Items read per Query: filters apply after the read, so a page reads a little more than it returns. */
const READ_LIMIT = 100;
/** Above every `<updatedAt>#<finding id>` of the scope's last millisecond. */
const AFTER_IDS = '#\uffff';

type Read = { day: string; page: DayPage };

export async function listFindings(deps: ListFindingsDependencies, body: unknown, options: { csv: boolean }): Promise<ListFindingsResponse | CsvDocument> {
  const now = deps.now();
  const request = parseListFindings(body, { nowMillis: now });
  const fingerprint = requestFingerprint({ operation: 'ListFindings', from: request.fromMs, to: request.toMs, filter: request.filter, csv: options.csv });
  const key = await deps.tokenKeys.tokenKey();
  const after = request.nextToken ? decodeNextToken(request.nextToken, fingerprint, now, key, isFindingListPosition) : undefined;
  const { findings, next } = await readPage(deps.listing, request, after);
  const nextToken = next ? encodeNextToken(next, fingerprint, now, key) : undefined;
  if (options.csv) return new CsvDocument(toCsv(FINDINGS_CSV_HEADER, findingCsvRows(findings)), nextToken);
  return { Findings: findings, ...(nextToken ? { NextToken: nextToken } : {}) };
}

async function readPage(listing: FindingListReads, request: ListFindingsRequest, after: FindingListPosition | undefined): Promise<{ findings: ListedFinding[]; next?: FindingListPosition }> {
  const lower = formatTimestamp(request.fromMs);
  const upper = `${formatTimestamp(request.toMs)}${AFTER_IDS}`;
  // Days still to read, newest first; a token resumes within its day, below its position.
  const findings: ListedFinding[] = [];
  let pending: { day: string; after?: string }[] = daysOf(request.fromMs, request.toMs)
    .filter((day) => !after || day <= after.d)
    .map((day) => (after && day === after.d ? { day, after: after.s } : { day }));
  while (pending.length > 0) {
    const batch = pending.slice(0, DAYS_AT_ONCE);
    pending = pending.slice(DAYS_AT_ONCE);
    const reads: Read[] = await Promise.all(batch.map(async ({ day, after: start }) => ({ day, page: await listing.day(day, lower, upper, READ_LIMIT, start) })));
    for (const [index, { day, page }] of reads.entries()) {
      for (const [position, item] of page.items.entries()) {
        const listed = toListedFinding(item);
        if (!matchesFilter(listed, request.filter)) continue;
        findings.push(listed);
        if (findings.length === request.maxResults) {
          const more = position < page.items.length - 1 || page.next !== undefined || index < reads.length - 1 || pending.length > 0;
          return { findings, ...(more ? { next: { d: day, s: sortKeyOf(item) } } : {}) };
        }
      }
      if (page.next) {
        // DynamoDB stopped within the day: the rest of it comes before the older days (read again, in order).
        pending = [{ day, after: page.next.s }, ...batch.slice(index + 1).map(({ day: d }) => ({ day: d })), ...pending];
        break;
      }
    }
  }
  return { findings };
}

function sortKeyOf(item: ListedFindingItem): string {
  return (item as ListedFindingItem & { listSort: string }).listSort;
}
