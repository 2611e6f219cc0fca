import { createHash } from 'node:crypto';
import type { JsonValue } from './types';

/**
 * The VPCs and network interfaces of the sample organisation's EC2 instances. ENI ids, MAC and private
 * addresses of instances are derived from the instance id (a hash, not the scenario's random stream), so that
 * adding them to the CloudTrail sample changed no other generated value, and the flow-log generator
 * (flow-logs.ts) and the GuardDuty fixtures find the same ones.
 */
export interface Subnet {
  vpcId: string;
  subnetId: string;
  region: string;
  availabilityZone: string;
  /** Availability Zone id, as flow logs (az-id) name it. */
  azId: string;
  /** The first two octets of the VPC's /16. */
  prefix: string;
}

/** The workload account's web VPC in us-east-1: one public subnet per web server. */
export const WEB_SUBNETS: { a: Subnet; b: Subnet } = {
  a: { vpcId: 'vpc-0d4b2f6a8c1e3a5b7', subnetId: 'subnet-0a9e7c5b3d1f24680', region: 'us-east-1', availabilityZone: 'us-east-1a', azId: 'use1-az4', prefix: '10.20' },
  b: { vpcId: 'vpc-0d4b2f6a8c1e3a5b7', subnetId: 'subnet-0b8d6f4a2c0e13579', region: 'us-east-1', availabilityZone: 'us-east-1b', azId: 'use1-az6', prefix: '10.20' },
};

/** The default VPC of eu-west-1 in the workload account, where the attacker starts instances. */
export const EU_DEFAULT_SUBNET: Subnet = {
  vpcId: 'vpc-0f2e4d6c8a1b3c5d7',
  subnetId: 'subnet-0c4e6a8b2d1f3e5a7',
  region: 'eu-west-1',
  availabilityZone: 'eu-west-1a',
  azId: 'euw1-az1',
  prefix: '172.31',
};

export interface NetworkInterface {
  networkInterfaceId: string;
  instanceId: string;
  subnet: Subnet;
  privateIp: string;
  macAddress: string;
  attachmentId: string;
  publicIp?: string;
}

function digest(label: string, instanceId: string): string {
  return createHash('sha256').update(`${label}/${instanceId}`, 'utf8').digest('hex');
}

/**
 * The primary ENI of an instance. `privateIp` defaults to an address derived from the id inside the subnet's
 * /16 (third octet 16–47, as the default VPC's subnets are /20s); the web servers pass theirs (their host names
 * in the SSM events are `ip-10-20-…`).
 */
export function primaryInterface(instanceId: string, subnet: Subnet, options: { privateIp?: string; publicIp?: string } = {}): NetworkInterface {
  const hex = digest('eni', instanceId);
  const byte = (i: number) => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const privateIp = options.privateIp ?? `${subnet.prefix}.${16 + (byte(8) % 32)}.${4 + (byte(9) % 247)}`;
  return {
    networkInterfaceId: `eni-0${hex.slice(0, 16)}`,
    instanceId,
    subnet,
    privateIp,
    // Locally administered unicast, as EC2's are (0x02 set, 0x01 clear in the first octet).
    macAddress: [0x02 | (byte(10) & 0xfc), byte(11), byte(12), byte(13), byte(14), byte(15)].map((b) => b.toString(16).padStart(2, '0')).join(':'),
    attachmentId: `eni-attach-0${digest('attach', instanceId).slice(0, 16)}`,
    ...(options.publicIp ? { publicIp: options.publicIp } : {}),
  };
}

/** The default security group of the eu-west-1 default VPC (the attacker's instances get it). */
export const EU_DEFAULT_SECURITY_GROUP = 'sg-0a2c4e6f8b1d3f5a7';

/** An address EC2 would give a new instance in eu-west-1 (34.240.0.0/13 is one of Amazon's ranges there). */
export function euPublicIp(instanceId: string): string {
  const hex = digest('public-ip', instanceId);
  return `34.${240 + (parseInt(hex.slice(0, 2), 16) % 8)}.${parseInt(hex.slice(2, 4), 16)}.${1 + (parseInt(hex.slice(4, 6), 16) % 254)}`;
}

/** The `networkInterfaceSet` of a RunInstances response item, as EC2 returns it. */
export function runInstancesInterfaceSet(eni: NetworkInterface, accountId: string, groupId: string): JsonValue {
  const dns = `ip-${eni.privateIp.replace(/\./g, '-')}.${eni.subnet.region === 'us-east-1' ? 'ec2.internal' : `${eni.subnet.region}.compute.internal`}`;
  return {
    items: [
      {
        networkInterfaceId: eni.networkInterfaceId,
        subnetId: eni.subnet.subnetId,
        vpcId: eni.subnet.vpcId,
        ownerId: accountId,
        status: 'in-use',
        macAddress: eni.macAddress,
        privateIpAddress: eni.privateIp,
        privateDnsName: dns,
        sourceDestCheck: true,
        interfaceType: 'interface',
        groupSet: { items: [{ groupId, groupName: 'default' }] },
        attachment: { attachmentId: eni.attachmentId, deviceIndex: 0, networkCardIndex: 0, status: 'attaching', deleteOnTermination: true },
        privateIpAddressesSet: { item: [{ privateIpAddress: eni.privateIp, privateDnsName: dns, primary: true }] },
        ipv6AddressesSet: {},
        tagSet: {},
      },
    ],
  };
}
