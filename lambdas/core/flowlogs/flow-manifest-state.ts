import { gunzipSync, gzipSync } from 'node:zlib';
import { activitySlot } from '../model/items';
import type { FlowManifestBody, FlowManifestItem } from './flow-items';

/**
 * What a flow-log compaction must remember of an account-hour for the next one: the objects it read (a late
 * file recompacts the hour once their registrations have expired, so the manifest must name them all) and
 * the interfaces it wrote (a recompaction deletes the `flow-eni#` items of those no longer present). An hour
 * may have thousands of objects, and DynamoDB refuses items over 400 KB (UTF-8 bytes), so this state is one
 * gzip JSON blob: inline in the manifest when small, else cut into `flow-state#<account>` part items, each
 * under the limit, written before the manifest under the generation (the objects' hash) that names them. A
 * manifest never points at parts another compaction may overwrite: a new generation writes new slots, and
 * the parts of the generation replaced are deleted once the new manifest is written.
 */
export const FLOW_STATE_PREFIX = 'flow-state#';
/** Inline in the manifest up to this (its body is at most 64 KB): most hours need no part items. */
export const MAX_INLINE_STATE_BYTES = 192 * 1024;
/** One part item's share of the blob: with its keys, well under DynamoDB's 400 KB. */
export const STATE_PART_BYTES = 320 * 1024;

export interface FlowManifestState {
  v: 1;
  /** The hour's objects (s3:// key and ETag), sorted by key. */
  objects: { objectKey: string; etag?: string }[];
  /** The interfaces whose `flow-eni#` items this compaction wrote, sorted. */
  interfaces: string[];
}

export interface FlowStatePartItem {
  subject: string;
  slot: string;
  accountId: string;
  hour: string;
  body: Uint8Array;
  expiresAt: number;
}

export const flowStateSubject = (accountId: string): string => `${FLOW_STATE_PREFIX}${accountId}`;
export const flowStateSlot = (hour: string, accountId: string, generation: string, part: number): string => `${activitySlot(hour, accountId)}#${generation}#${part}`;

/** The manifest's share of the state (inline, or the parts' count and generation) and the part items to write first. */
export interface EncodedState {
  manifest: Pick<FlowManifestItem, 'state' | 'stateParts' | 'stateGeneration'>;
  parts: FlowStatePartItem[];
}

export function encodeState(state: FlowManifestState, at: { accountId: string; hour: string; generation: string; expiresAt: number }): EncodedState {
  const blob = gzipSync(JSON.stringify(state));
  if (blob.byteLength <= MAX_INLINE_STATE_BYTES) return { manifest: { state: blob }, parts: [] };
  const parts: FlowStatePartItem[] = [];
  for (let offset = 0, part = 0; offset < blob.byteLength; offset += STATE_PART_BYTES, part++) {
    parts.push({
      subject: flowStateSubject(at.accountId),
      slot: flowStateSlot(at.hour, at.accountId, at.generation, part),
      accountId: at.accountId,
      hour: at.hour,
      body: blob.subarray(offset, offset + STATE_PART_BYTES),
      expiresAt: at.expiresAt,
    });
  }
  return { manifest: { stateParts: parts.length, stateGeneration: at.generation }, parts };
}

/** The keys of a manifest's part items (none when its state is inline, or for a manifest of before the state). */
export function statePartKeys(manifest: FlowManifestItem): { subject: string; slot: string }[] {
  if (!manifest.stateParts || !manifest.stateGeneration) return [];
  const keys: { subject: string; slot: string }[] = [];
  for (let part = 0; part < manifest.stateParts; part++) keys.push({ subject: flowStateSubject(manifest.accountId), slot: flowStateSlot(manifest.hour, manifest.accountId, manifest.stateGeneration, part) });
  return keys;
}

/**
 * The state a manifest names, given its part items' bodies in order. A manifest written before the state
 * existed (body v1) names its objects in its body, and its interfaces only in the top-talker list (complete
 * unless `truncatedInterfaces`).
 */
export function decodeState(manifest: FlowManifestItem, parts: readonly Uint8Array[]): FlowManifestState {
  if (manifest.state) return JSON.parse(gunzipSync(manifest.state).toString('utf8')) as FlowManifestState;
  if (manifest.stateParts) {
    if (parts.length !== manifest.stateParts) throw new Error(`flow manifest ${manifest.subject} ${manifest.slot}: ${parts.length} of ${manifest.stateParts} state parts found`);
    return JSON.parse(gunzipSync(Buffer.concat(parts.map((part) => Buffer.from(part)))).toString('utf8')) as FlowManifestState;
  }
  const body = JSON.parse(gunzipSync(manifest.body).toString('utf8')) as FlowManifestBody;
  return { v: 1, objects: body.objects ?? [], interfaces: body.interfaces.map(([interfaceId]) => interfaceId) };
}
