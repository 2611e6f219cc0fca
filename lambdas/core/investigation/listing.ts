import { isInvestigationId, type InvestigationFilter, type InvestigationSort } from './requests';
import { SEVERITIES, STATUSES, type Investigation } from './model';
import { isStringRecord } from './pagination';
import { parseTimestamp } from './time';

/**
 * ListInvestigations semantics, independent of DynamoDB: the filter as a condition expression, the sort
 * orders and the resume positions. CREATED_TIME is the order of the `byCreatedTime` index, so that sort
 * pages through the index; SEVERITY and STATUS have no index and are sorted here, with a cursor that
 * identifies a position in the total order (primary key, then newest first, then id) rather than an offset,
 * so investigations created between two pages do not shift or repeat results.
 */
export const LIST_KEY = 'INVESTIGATION';

export interface FilterExpression {
  keyCondition?: { expression: string; values: Record<string, string> };
  filter?: { expression: string; names: Record<string, string>; values: Record<string, string> };
}

/** The filter as DynamoDB expression strings: CreatedTime is the index's sort key, the rest is a filter. */
export function filterExpression(filter: InvestigationFilter): FilterExpression {
  const result: FilterExpression = {};
  if (filter.createdTime) {
    result.keyCondition = { expression: 'createdTime BETWEEN :createdFrom AND :createdTo', values: { ':createdFrom': filter.createdTime.startInclusive, ':createdTo': filter.createdTime.endInclusive } };
  }
  const equalities = [
    ['severity', filter.severity],
    ['status', filter.status],
    ['state', filter.state],
    ['entityArn', filter.entityArn],
  ] as const;
  const present = equalities.filter(([, value]) => value !== undefined) as [string, string][];
  if (present.length > 0) {
    // status and state are DynamoDB reserved words: always go through attribute name placeholders.
    result.filter = {
      expression: present.map(([name]) => `#${name} = :${name}`).join(' AND '),
      names: Object.fromEntries(present.map(([name]) => [`#${name}`, name])),
      values: Object.fromEntries(present.map(([name, value]) => [`:${name}`, value])),
    };
  }
  return result;
}

/** Severity ranks by gravity (not alphabetically), so DESC puts CRITICAL first. */
function primaryRank(investigation: Investigation, sort: InvestigationSort): number | string {
  switch (sort.field) {
    case 'SEVERITY':
      return SEVERITIES.indexOf(investigation.severity);
    case 'STATUS':
      return STATUSES.indexOf(investigation.status);
    case 'CREATED_TIME':
      return investigation.createdTime;
  }
}

/** Where a page ended in the SEVERITY/STATUS orders: the last item's primary rank, creation time and id. */
export interface SortCursor {
  p: number;
  c: string;
  i: string;
}

type Position = [number | string, string, string];

function compareValues(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePositions(a: Position, b: Position, sort: InvestigationSort): number {
  const primary = compareValues(a[0], b[0]);
  if (primary !== 0) return sort.order === 'ASC' ? primary : -primary;
  // Ties: newest first, then by id, whatever the requested order, so the order is total and stable.
  return -compareValues(a[1], b[1]) || -compareValues(a[2], b[2]);
}

function positionOf(investigation: Investigation, sort: InvestigationSort): Position {
  return [primaryRank(investigation, sort), investigation.createdTime, investigation.investigationId];
}

export function sortInvestigations(investigations: readonly Investigation[], sort: InvestigationSort): Investigation[] {
  return [...investigations].sort((a, b) => comparePositions(positionOf(a, sort), positionOf(b, sort), sort));
}

export function cursorOf(investigation: Investigation, sort: InvestigationSort): SortCursor {
  const rank = primaryRank(investigation, sort);
  if (typeof rank !== 'number') throw new Error('CREATED_TIME pages resume from an index key, not a cursor');
  return { p: rank, c: investigation.createdTime, i: investigation.investigationId };
}

/** One page of an in-memory sorted list, resuming strictly after `cursor`. */
export function pageAfter(sorted: readonly Investigation[], sort: InvestigationSort, maxResults: number, cursor?: SortCursor): { page: Investigation[]; last?: Investigation } {
  const start = cursor ? sorted.findIndex((item) => comparePositions(positionOf(item, sort), [cursor.p, cursor.c, cursor.i], sort) > 0) : 0;
  if (start < 0) return { page: [] };
  const page = sorted.slice(start, start + maxResults);
  const more = start + maxResults < sorted.length;
  return { page, last: more ? page[page.length - 1] : undefined };
}

export function isSortCursor(value: unknown): value is SortCursor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { p, c, i, ...rest } = value as Record<string, unknown>;
  return Object.keys(rest).length === 0 && Number.isInteger(p) && (p as number) >= 0 && (p as number) < 10 && typeof c === 'string' && parseTimestamp(c) !== undefined && isInvestigationId(i);
}

/** A `byCreatedTime` index key (table key plus index key), the ExclusiveStartKey of the next Query. */
export type IndexKey = Record<'investigationId' | 'listKey' | 'createdTime', string>;

export function isIndexKey(value: unknown): value is IndexKey {
  return isStringRecord(value, ['investigationId', 'listKey', 'createdTime'] as const) && value.listKey === LIST_KEY && isInvestigationId(value.investigationId) && parseTimestamp(value.createdTime) !== undefined;
}

export function indexKeyOf(investigation: Investigation): IndexKey {
  return { investigationId: investigation.investigationId, listKey: LIST_KEY, createdTime: investigation.createdTime };
}

/** The position shape a token must carry for this sort: CREATED_TIME pages through the index, others by cursor. */
export function isPositionFor(sort: InvestigationSort) {
  return (value: unknown): value is IndexKey | SortCursor => (sort.field === 'CREATED_TIME' ? isIndexKey(value) : isSortCursor(value));
}
