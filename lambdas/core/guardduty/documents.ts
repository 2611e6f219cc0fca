import { toFindingEvent } from './event';
import { isObject } from './json';

/**
 * Reads the ways GuardDuty findings are commonly saved to a file, for local deliveries:
 * - one EventBridge event (`{"detail-type": "GuardDuty Finding", "detail": {...}, ...}`);
 * - an array of events;
 * - JSON lines, one event per line (what an EventBridge → Firehose → S3 archive holds);
 * - GetFindings output, `{"Findings": [...]}` from the CLI or `{"findings": [...]}` from the REST API;
 * - bare findings, alone, in an array or on lines.
 * Findings are wrapped as EventBridge events (toFindingEvent); events are passed through unchanged, so the
 * handler sees exactly what EventBridge would deliver.
 */
export class GuardDutyDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardDutyDocumentError';
  }
}

function looksLikeEvent(value: Record<string, unknown>): boolean {
  return 'detail-type' in value || ('source' in value && 'detail' in value);
}

function looksLikeFinding(value: Record<string, unknown>): boolean {
  const has = (name: string) => name in value || name.charAt(0).toUpperCase() + name.slice(1) in value;
  return has('id') && has('type') && has('arn');
}

function eventsOf(value: unknown, where: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((element, index) => eventsOf(element, `${where}[${index}]`));
  if (!isObject(value)) throw new GuardDutyDocumentError(`${where}: expected an event, a finding or GetFindings output, found ${value === null ? 'null' : typeof value}`);
  if (looksLikeEvent(value)) return [value];
  const findings = value.Findings ?? value.findings;
  if (Array.isArray(findings)) return findings.map((finding) => toFindingEvent(finding));
  if (looksLikeFinding(value)) return [toFindingEvent(value)];
  throw new GuardDutyDocumentError(`${where}: an object that is neither an EventBridge event, a finding nor GetFindings output (keys: ${Object.keys(value).slice(0, 8).join(', ')})`);
}

function parseJson(source: string, where: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new GuardDutyDocumentError(`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The events in a document; `name` only labels error messages. */
export function findingEventsFromText(content: string, name = 'input'): unknown[] {
  const trimmed = content.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return [];
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    // Not one JSON document: JSON lines, then (blank lines allowed).
    return trimmed.split(/\r?\n/).flatMap((line, index) => (line.trim() === '' ? [] : eventsOf(parseJson(line, `${name}:${index + 1}`), `${name}:${index + 1}`)));
  }
  return eventsOf(whole, name);
}
