import { compareFlowEvidence, type FlowEvidence } from '../flowlogs/flow-evidence';
import { isEvidencePosition, type EvidencePosition } from './evidence';

/**
 * listIndicatorEvidence pages two lists at once: the indicator's CloudTrail calls (Events) and, for a flagged
 * address, its VPC flows with the entity's instances (FlowEvidence). Each page holds at most MaxResults of
 * each; the NextToken says where each list stopped, or that it is done. A token carries positions only (the
 * last item given), so a page is recomputed from the same reads and cut after them.
 */

/** The last flow evidence row given: rows are listed by hour, instance, interface. */
export interface FlowEvidencePosition {
  h: string;
  i: string;
  n: string;
}

export type ListPosition<P> = P | 'done';

export interface EvidencePagePosition {
  e: ListPosition<EvidencePosition>;
  f: ListPosition<FlowEvidencePosition>;
}

const MAX_ID = 256;
const isShortString = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_ID;

export function isFlowEvidencePosition(value: unknown): value is FlowEvidencePosition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { h, i, n, ...rest } = value as Record<string, unknown>;
  return Object.keys(rest).length === 0 && isShortString(h) && isShortString(i) && isShortString(n);
}

/**
 * A token's position. Tokens issued before FlowEvidence was paged hold the events' position alone (flow rows
 * were then given on the first page only, so they are done).
 */
export function isEvidencePagePosition(value: unknown): value is EvidencePagePosition | EvidencePosition {
  if (isEvidencePosition(value)) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { e, f, ...rest } = value as Record<string, unknown>;
  return Object.keys(rest).length === 0 && (e === 'done' || isEvidencePosition(e)) && (f === 'done' || isFlowEvidencePosition(f)) && !(e === 'done' && f === 'done');
}

export function pagePosition(value: EvidencePagePosition | EvidencePosition): EvidencePagePosition {
  return 'e' in value ? value : { e: value, f: 'done' };
}

const positionRow = (position: FlowEvidencePosition) => ({ Hour: position.h, InstanceId: position.i, InterfaceId: position.n });

/** The next page of a sorted list of flow rows after `position`, and where it stopped. */
export function flowEvidencePage(sorted: readonly FlowEvidence[], position: FlowEvidencePosition | undefined, maxResults: number): { rows: FlowEvidence[]; next: ListPosition<FlowEvidencePosition> } {
  const rest = position ? sorted.filter((row) => compareFlowEvidence(row, positionRow(position)) > 0) : sorted;
  const rows = rest.slice(0, maxResults);
  const last = rows[rows.length - 1];
  return { rows, next: rest.length > rows.length && last ? { h: last.Hour, i: last.InstanceId, n: last.InterfaceId } : 'done' };
}
