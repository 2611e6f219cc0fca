import type { HourIndex } from '../storage/hour-index';

/**
 * Lookups over account-hour indexes (core/storage/hour-index.ts): who went with a value (an address, a user
 * agent, a bucket), where a session key was used, and the principals of a window with their call counts.
 * Pure: the caller reads the indexes of the accounts and hours in scope, once.
 */
export interface IndexedPrincipal {
  subject: string;
  type: string;
  name: string;
  arn?: string;
  calls: number;
  failures: number;
  /** Accounts whose trails recorded its calls. */
  accounts: string[];
  /** Hours (`YYYY-MM-DDTHH`) it was active in, ascending. */
  hours: string[];
}

type Row = HourIndex['principals'][number];

function addRow(into: Map<string, IndexedPrincipal>, index: HourIndex, row: Row): void {
  const [subject, type, name, arn, calls, failures] = row;
  let entry = into.get(subject);
  if (!entry) into.set(subject, (entry = { subject, type, name, ...(arn ? { arn } : {}), calls: 0, failures: 0, accounts: [], hours: [] }));
  entry.calls += calls;
  entry.failures += failures;
  if (!entry.accounts.includes(index.accountId)) entry.accounts.push(index.accountId);
  if (!entry.hours.includes(index.hour)) entry.hours.push(index.hour);
}

function sorted(map: Map<string, IndexedPrincipal>): IndexedPrincipal[] {
  for (const entry of map.values()) {
    entry.accounts.sort();
    entry.hours.sort();
  }
  return [...map.values()].sort((a, b) => b.calls - a.calls || a.subject.localeCompare(b.subject));
}

/** Every principal of the indexes, with its calls (hour totals: an edge hour counts whole). Busiest first. */
export function principalsOfIndexes(indexes: readonly HourIndex[]): IndexedPrincipal[] {
  const map = new Map<string, IndexedPrincipal>();
  for (const index of indexes) for (const row of index.principals) addRow(map, index, row);
  return sorted(map);
}

export type IndexedValueKind = 'ips' | 'agents' | 'buckets';

/**
 * The principals that went with a value, and whether some index could not say (its map was truncated: the
 * answer may then be incomplete, and says so). Counts are the principals' hour totals, not the value's share.
 */
export function principalsWithValue(indexes: readonly HourIndex[], kind: IndexedValueKind, value: string): { principals: IndexedPrincipal[]; incomplete: boolean } {
  const map = new Map<string, IndexedPrincipal>();
  let incomplete = false;
  for (const index of indexes) {
    if (index.truncated?.includes(kind) || index.truncated?.includes('principals')) incomplete = true;
    for (const position of index[kind][value] ?? []) {
      const row = index.principals[position];
      if (row) addRow(map, index, row);
    }
  }
  return { principals: sorted(map), incomplete };
}

export interface IndexedSession {
  sessionId: string;
  sessionName?: string;
  principal: IndexedPrincipal;
}

/** Where a temporary access key was used: its principal (a role, for a role session) and session name. */
export function sessionInIndexes(indexes: readonly HourIndex[], sessionId: string): IndexedSession | undefined {
  const map = new Map<string, IndexedPrincipal>();
  let name: string | undefined;
  for (const index of indexes) {
    const hit = index.sessions[sessionId];
    const row = hit ? index.principals[hit[0]] : undefined;
    if (!hit || !row) continue;
    addRow(map, index, row);
    name ||= hit[1] || undefined;
  }
  const principal = sorted(map)[0];
  return principal ? { sessionId, ...(name ? { sessionName: name } : {}), principal } : undefined;
}

/** Roles whose instance-profile credentials an instance received in the indexed hours. */
export function rolesOfInstanceIn(indexes: readonly HourIndex[], instanceId: string): string[] {
  return [...new Set(indexes.flatMap((index) => index.instances[instanceId] ?? []))].sort();
}
