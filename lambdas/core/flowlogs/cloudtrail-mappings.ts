/**
 * ENI → instance pairs from CloudTrail, for flow logs whose format has no `instance-id`: RunInstances names
 * each instance's network interfaces in its response, AttachNetworkInterface names the pair in its request,
 * and CreateNetworkInterface names an instance when the interface is created attached. Failed calls name
 * nothing that exists. Ids are checked, since log data is written by attackers.
 */
export interface InterfaceMapping {
  instanceId: string;
  interfaceId: string;
}

const INSTANCE_ID = /^i-[0-9a-f]{8,32}$/;
const INTERFACE_ID = /^eni-[0-9a-f]{8,32}$/;

type Json = Record<string, unknown> | undefined;

const asObject = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);
const itemsOf = (value: unknown): unknown[] => {
  const items = asObject(value)?.items;
  return Array.isArray(items) ? items.slice(0, 1000) : [];
};

function pair(instanceId: unknown, interfaceId: unknown): InterfaceMapping[] {
  return typeof instanceId === 'string' && typeof interfaceId === 'string' && INSTANCE_ID.test(instanceId) && INTERFACE_ID.test(interfaceId) ? [{ instanceId, interfaceId }] : [];
}

export function interfaceMappingsOf(record: unknown): InterfaceMapping[] {
  const event = asObject(record);
  if (!event || event.errorCode !== undefined || event.eventSource !== 'ec2.amazonaws.com') return [];
  const request = asObject(event.requestParameters);
  const response = asObject(event.responseElements);
  switch (event.eventName) {
    case 'RunInstances':
      return itemsOf(response?.instancesSet).flatMap((instance) => itemsOf(asObject(instance)?.networkInterfaceSet).flatMap((eni) => pair(asObject(instance)?.instanceId, asObject(eni)?.networkInterfaceId)));
    case 'AttachNetworkInterface':
      return pair(request?.instanceId, request?.networkInterfaceId);
    case 'CreateNetworkInterface': {
      const created = asObject(response?.networkInterface);
      return pair(asObject(created?.attachment)?.instanceId, created?.networkInterfaceId);
    }
    default:
      return [];
  }
}
