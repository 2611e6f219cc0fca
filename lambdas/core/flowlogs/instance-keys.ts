import type { FlowHour } from './flow-aggregate';

/**
 * A flow log whose format has `instance-id` but no `interface-id` keys its records `instance:<id>`: all of
 * the instance's interfaces together. Another flow log over the same instance keys the same traffic by ENI.
 * Once the ENI ↔ instance mapping is known (the `instance-id` field of any log's lines in the hour, else the
 * stored mappings: CloudTrail's RunInstances/AttachNetworkInterface, earlier hours' lines), the two keys are
 * one traffic and must count once (merge-flow-logs.ts). Without a mapping nothing is dropped: a valid record
 * is never lost on a guess.
 */
const INSTANCE_KEY_PREFIX = 'instance:';

export const instanceKeyOf = (instanceId: string): string => `${INSTANCE_KEY_PREFIX}${instanceId}`;

/** The instance of an `instance:<id>` key, undefined for an ENI. */
export function instanceOfKey(key: string): string | undefined {
  return key.startsWith(INSTANCE_KEY_PREFIX) ? key.slice(INSTANCE_KEY_PREFIX.length) : undefined;
}

interface KeyedHour {
  flowLogId: string;
  hour: Pick<FlowHour, 'interfaces'>;
}

/** ENI → instance from the hour's own lines (the first log in id order that names one). */
function instancesNamedByLines(logs: readonly KeyedHour[]): Map<string, string> {
  const named = new Map<string, string>();
  for (const log of logs)
    for (const iface of log.hour.interfaces) if (iface.instanceId && !instanceOfKey(iface.interfaceId) && !named.has(iface.interfaceId)) named.set(iface.interfaceId, iface.instanceId);
  return named;
}

/**
 * The instances whose stored ENI mappings the compaction must read (one Query each): those keyed by instance
 * in one log while another log of the hour has ENIs no line maps to an instance. Usually none.
 */
export function instancesToResolve(logs: readonly KeyedHour[]): string[] {
  if (logs.length < 2) return [];
  const named = instancesNamedByLines(logs);
  const unmappedIn = logs.map((log) => log.hour.interfaces.some((iface) => !instanceOfKey(iface.interfaceId) && !named.has(iface.interfaceId)));
  const wanted = new Set<string>();
  logs.forEach((log, index) => {
    if (!unmappedIn.some((unmapped, other) => unmapped && other !== index)) return;
    for (const iface of log.hour.interfaces) {
      const instanceId = instanceOfKey(iface.interfaceId);
      if (instanceId) wanted.add(instanceId);
    }
  });
  return [...wanted].sort();
}

/**
 * ENI → instance for the hour: the lines' own `instance-id` first, then the stored mappings (instance → its
 * ENIs) for the ENIs no line names. A stored ENI listed under two instances (detached and attached again
 * elsewhere) is ambiguous and left unmapped.
 */
export function interfaceInstances(logs: readonly KeyedHour[], stored: ReadonlyMap<string, readonly string[]>): Map<string, string> {
  const mapped = instancesNamedByLines(logs);
  const fromStore = new Map<string, string | null>();
  for (const [instanceId, interfaceIds] of stored)
    for (const interfaceId of interfaceIds) {
      if (mapped.has(interfaceId)) continue;
      const known = fromStore.get(interfaceId);
      fromStore.set(interfaceId, known === undefined || known === instanceId ? instanceId : null);
    }
  for (const [interfaceId, instanceId] of fromStore) if (instanceId) mapped.set(interfaceId, instanceId);
  return mapped;
}

/** Per key, the log whose traffic is kept and its flows. */
export interface KeyChoice {
  log: { flowLogId: string };
  flows: number;
}

/**
 * Which keys to drop so that an instance's traffic counts once: for each `instance:<id>` key, the ENIs of that
 * instance whose kept traffic comes from ANOTHER log (records of one log never repeat each other) are the
 * same traffic. Of the two sides the one with more flows is kept (as between logs of one interface); on a tie
 * the ENIs, which name the interface. Returns dropped key → the kept key its flows are counted against as
 * duplicates.
 */
export function sameTrafficDrops(chosen: ReadonlyMap<string, KeyChoice>, instanceOf: ReadonlyMap<string, string>): Map<string, string> {
  const enisOf = new Map<string, string[]>();
  for (const key of chosen.keys()) {
    const instanceId = instanceOf.get(key);
    if (instanceId && !instanceOfKey(key)) enisOf.set(instanceId, [...(enisOf.get(instanceId) ?? []), key]);
  }
  const drops = new Map<string, string>();
  for (const [key, choice] of chosen) {
    const instanceId = instanceOfKey(key);
    if (!instanceId) continue;
    const enis = (enisOf.get(instanceId) ?? []).filter((eni) => (chosen.get(eni) as KeyChoice).log.flowLogId !== choice.log.flowLogId).sort();
    if (enis.length === 0) continue;
    const flowsOf = (eni: string) => (chosen.get(eni) as KeyChoice).flows;
    const eniFlows = enis.reduce((sum, eni) => sum + flowsOf(eni), 0);
    if (choice.flows > eniFlows) for (const eni of enis) drops.set(eni, key);
    else drops.set(key, enis.reduce((best, eni) => (flowsOf(eni) > flowsOf(best) ? eni : best)));
  }
  return drops;
}
