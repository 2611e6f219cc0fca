import { isInvestigationId, type InvestigationFilter, type InvestigationSort } from './requests';
import { SEVERITIES, STATUSES, type Investigation } from './model';
import { parseTimestamp } from './time';

/**
 * ListInvestigations as DynamoDB Queries whose reads follow the page size, not the table size.
 *
 * Every listing index is keyed by a combination of equality attributes (none, one, or two of severity, status,
 * state, entityArn) with `createdTime` as sort key, so a CreatedTime filter is always a key condition. A request
 * is served by the index whose key attributes are its filters plus its sort field:
 * - CREATED_TIME order reads one partition in the requested direction;
 * - SEVERITY and STATUS orders read one partition per value of the sort field, in rank order (CRITICAL first for
 *   DESC), each newest first, so ties are newest first in both directions.
 * Every single filter, with every sort, has an exact index, and so do the pairs of LISTING_INDEXES sorted by
 * CREATED_TIME or by one of their own fields: a page then reads at most MaxResults + 1 items, plus one (possibly
 * empty) Query per partition of the sort field. Other combinations (e.g. EntityArn with State, or State and Status
 * sorted by SEVERITY) use the index that covers the sort field and the most filters, preferring EntityArn (an
 * entity has few investigations), and apply the rest as a FilterExpression: such a page reads at most the items
 * of the chosen partitions, e.g. the investigations of one entity.
 */
export type ListingAttribute = 'severity' | 'status' | 'state' | 'entityArn';

export interface ListingIndex {
  readonly indexName: string;
  /** The partition key attribute of the index; for pairs, an attribute written as `<first>#<second>`. */
  readonly attribute: string;
  readonly keys: readonly ListingAttribute[];
}

/** The constant partition of the `byCreatedTime` index: every investigation. */
export const LIST_KEY = 'INVESTIGATION';

/** Must match INVESTIGATIONS_TABLE.globalSecondaryIndexes (test/api/pagination.test.ts checks that they agree). */
export const LISTING_INDEXES: readonly ListingIndex[] = [
  { indexName: 'byCreatedTime', attribute: 'listKey', keys: [] },
  { indexName: 'bySeverity', attribute: 'severity', keys: ['severity'] },
  { indexName: 'byStatus', attribute: 'status', keys: ['status'] },
  { indexName: 'byState', attribute: 'state', keys: ['state'] },
  { indexName: 'byEntity', attribute: 'entityArn', keys: ['entityArn'] },
  { indexName: 'byStatusSeverity', attribute: 'statusSeverity', keys: ['status', 'severity'] },
  { indexName: 'byStateSeverity', attribute: 'stateSeverity', keys: ['state', 'severity'] },
  { indexName: 'byStateStatus', attribute: 'stateStatus', keys: ['state', 'status'] },
  { indexName: 'byEntitySeverity', attribute: 'entitySeverity', keys: ['entityArn', 'severity'] },
  { indexName: 'byEntityStatus', attribute: 'entityStatus', keys: ['entityArn', 'status'] },
];

/** The partition key value of an index for given attribute values. */
function partitionValue(index: ListingIndex, values: Partial<Record<ListingAttribute, string>>): string {
  return index.keys.length === 0 ? LIST_KEY : index.keys.map((key) => values[key]).join('#');
}

/**
 * The index attributes an investigation item carries (the single-attribute indexes use the item's own
 * attributes). Derived from the investigation's current values: every write must set them again.
 */
export function listingAttributes(investigation: Pick<Investigation, ListingAttribute>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const index of LISTING_INDEXES) {
    if (index.keys.length !== 1) attributes[index.attribute] = partitionValue(index, investigation);
  }
  return attributes;
}

/** The rank order of the sort field's values, as stored (SEVERITIES and STATUSES are listed in ascending rank). */
function sortValues(sort: InvestigationSort): readonly string[] | undefined {
  const values = sort.field === 'SEVERITY' ? SEVERITIES : sort.field === 'STATUS' ? STATUSES : undefined;
  return values && sort.order === 'DESC' ? [...values].reverse() : values;
}

function sortAttribute(sort: InvestigationSort): ListingAttribute | undefined {
  return sort.field === 'SEVERITY' ? 'severity' : sort.field === 'STATUS' ? 'status' : undefined;
}

function filterValues(filter: InvestigationFilter): Partial<Record<ListingAttribute, string>> {
  const values: Partial<Record<ListingAttribute, string>> = {};
  if (filter.severity) values.severity = filter.severity;
  if (filter.status) values.status = filter.status;
  if (filter.state) values.state = filter.state;
  if (filter.entityArn) values.entityArn = filter.entityArn;
  return values;
}

/** One Query of a plan: a partition of an index, read newest first unless `forward`. */
export interface PartitionQuery {
  indexName: string;
  attribute: string;
  value: string;
}

export interface ListingPlan {
  /** Partitions read one after another, in the order of the requested sort. */
  partitions: PartitionQuery[];
  forward: boolean;
  createdTime?: { startInclusive: string; endInclusive: string };
  /** Filters the chosen index does not cover, applied as a FilterExpression. */
  residual: Partial<Record<ListingAttribute, string>>;
}

/** Score of an index for a request: covering EntityArn first (most selective), then as many filters as possible. */
function coverage(index: ListingIndex, wanted: ReadonlySet<ListingAttribute>, sortKey: ListingAttribute | undefined): number {
  if (!index.keys.every((key) => wanted.has(key))) return -1;
  if (sortKey && !index.keys.includes(sortKey)) return -1;
  return (index.keys.includes('entityArn') ? 10 : 0) + index.keys.length;
}

export function planListing(filter: InvestigationFilter, sort: InvestigationSort): ListingPlan {
  const values = filterValues(filter);
  const sortKey = sortAttribute(sort);
  const wanted = new Set<ListingAttribute>([...(Object.keys(values) as ListingAttribute[]), ...(sortKey ? [sortKey] : [])]);
  // byCreatedTime (no keys) always qualifies when there is no sort field; for a sort field, its single index does.
  const index = LISTING_INDEXES.reduce((best, candidate) => (coverage(candidate, wanted, sortKey) > coverage(best, wanted, sortKey) ? candidate : best));
  const residual = Object.fromEntries(Object.entries(values).filter(([key]) => !index.keys.includes(key as ListingAttribute)));
  // A sort field that is also filtered on has a single value: one partition.
  const sortOver = sortKey && values[sortKey] === undefined ? (sortValues(sort) ?? []) : [undefined];
  const partitions = sortOver.map((value) => ({ indexName: index.indexName, attribute: index.attribute, value: partitionValue(index, sortKey && value ? { ...values, [sortKey]: value } : values) }));
  return { partitions, forward: sort.field === 'CREATED_TIME' && sort.order === 'ASC', createdTime: filter.createdTime, residual };
}

/** Where a page ended: the partition's position in the plan, and the last item's creation time and id. */
export interface ListCursor {
  p: number;
  c: string;
  i: string;
}

export function isListCursor(value: unknown): value is ListCursor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { p, c, i, ...rest } = value as Record<string, unknown>;
  return Object.keys(rest).length === 0 && Number.isInteger(p) && (p as number) >= 0 && (p as number) < 5 && typeof c === 'string' && parseTimestamp(c) !== undefined && isInvestigationId(i);
}

/** The ExclusiveStartKey of a partition query resuming after the cursor's item (table key plus index key). */
export function startKeyOf(partition: PartitionQuery, cursor: ListCursor): Record<string, string> {
  return { investigationId: cursor.i, [partition.attribute]: partition.value, createdTime: cursor.c };
}

/** The position shape a ListInvestigations token must carry, checked before any read. */
export function isPositionFor(plan: ListingPlan) {
  return (value: unknown): value is ListCursor => isListCursor(value) && value.p < plan.partitions.length;
}

