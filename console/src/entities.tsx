import type { ComponentChildren } from 'preact';
import { href } from './route';

/** The graph's entity types (issue 8), as the search and profile routes name them. */
export const ENTITY_TYPES = ['IAM_ROLE', 'IAM_USER', 'ROLE_SESSION', 'FEDERATED_USER', 'EC2_INSTANCE', 'IP_ADDRESS', 'USER_AGENT', 'S3_BUCKET', 'AWS_ACCOUNT'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
export const TYPE_LABELS: Record<EntityType, string> = {
  IAM_ROLE: 'IAM role',
  IAM_USER: 'IAM user',
  ROLE_SESSION: 'Role session',
  FEDERATED_USER: 'Federated user',
  EC2_INSTANCE: 'EC2 instance',
  IP_ADDRESS: 'IP address',
  USER_AGENT: 'User agent',
  S3_BUCKET: 'S3 bucket',
  AWS_ACCOUNT: 'AWS account',
};

export function isEntityType(value: string | undefined): value is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(value ?? '');
}

export interface Scope {
  from: string;
  to: string;
}

const HOUR = 3_600_000;

/** The scope in the URL, or the last 24 hours to the current hour's end. */
export function scopeOf(params: Record<string, string>): Scope {
  if (params.from && params.to) return { from: params.from, to: params.to };
  const end = Math.ceil(Date.now() / HOUR) * HOUR;
  return { from: new Date(end - 24 * HOUR).toISOString(), to: new Date(end).toISOString() };
}

/** `2023-07-10T11:00` for a datetime-local input, in UTC (the console shows every time in UTC). */
export function toInput(iso: string): string {
  return iso.slice(0, 16);
}

export function fromInput(value: string): string | undefined {
  const time = Date.parse(`${value}:00Z`);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

export function profileHref(type: EntityType, id: string, scope: Scope): string {
  return href('entity', { type, id, from: scope.from, to: scope.to });
}

export function EntityLink({ type, id, scope, children }: { type: EntityType; id: string; scope: Scope; children?: ComponentChildren }) {
  return <a href={profileHref(type, id, scope)}>{children ?? id}</a>;
}

/** Trailhound's principal types (`role`, `iam-user`, …) as entity types, when a profile exists for them. */
export function principalEntityType(principalType: string | undefined): EntityType | undefined {
  if (principalType === 'role') return 'IAM_ROLE';
  if (principalType === 'iam-user') return 'IAM_USER';
  return undefined;
}

/** Which profile a table column's value opens, by the column's name. */
export const LINKED_COLUMNS: Record<string, EntityType> = {
  RoleArn: 'IAM_ROLE',
  SessionId: 'ROLE_SESSION',
  IpAddress: 'IP_ADDRESS',
  SourceIpAddress: 'IP_ADDRESS',
  UserAgent: 'USER_AGENT',
  InstanceId: 'EC2_INSTANCE',
  AccountId: 'AWS_ACCOUNT',
  BucketName: 'S3_BUCKET',
};

export function utc(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/(\.000)?Z$/, ' UTC') : '';
}
