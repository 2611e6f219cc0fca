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

/** A part of a document that holds no readable event: a JSON line (numbered from 1) or an array element. */
export interface UnreadableEntry {
  /** `name:line` or `name[index]`, as in error messages. */
  where: string;
  /** Set for JSON lines. */
  line?: number;
  reason: string;
}

export interface FindingDocument {
  events: unknown[];
  unreadable: UnreadableEntry[];
}

function reasonOf(error: unknown, where: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(`${where}: `) ? message.slice(where.length + 2) : message;
}

/**
 * The events in a document, skipping (and listing) the lines or array elements that hold none, so one bad
 * line does not cost the rest of the file. A document that is one JSON value and not an event, a finding
 * or GetFindings output is refused whole (GuardDutyDocumentError): there is nothing else in it to deliver.
 * `name` only labels messages.
 */
export function readFindingEvents(content: string, name = 'input'): FindingDocument {
  const stripped = content.replace(/^\uFEFF/, '');
  const trimmed = stripped.trim();
  const document: FindingDocument = { events: [], unreadable: [] };
  if (trimmed === '') return document;
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    // Not one JSON document: JSON lines, then (blank lines allowed). Line numbers count from the file's start.
    const firstLine = stripped.slice(0, stripped.length - stripped.trimStart().length).split(/\r?\n/).length;
    trimmed.split(/\r?\n/).forEach((text, index) => {
      if (text.trim() === '') return;
      const line = firstLine + index;
      const where = `${name}:${line}`;
      try {
        document.events.push(...eventsOf(parseJson(text, where), where));
      } catch (error) {
        if (!(error instanceof GuardDutyDocumentError)) throw error;
        document.unreadable.push({ where, line, reason: reasonOf(error, where) });
      }
    });
    return document;
  }
  if (!Array.isArray(whole)) return { events: eventsOf(whole, name), unreadable: [] };
  whole.forEach((element, index) => {
    const where = `${name}[${index}]`;
    try {
      document.events.push(...eventsOf(element, where));
    } catch (error) {
      if (!(error instanceof GuardDutyDocumentError)) throw error;
      document.unreadable.push({ where, reason: reasonOf(error, where) });
    }
  });
  return document;
}

/** The events in a document; any unreadable part is an error (GuardDutyDocumentError). */
export function findingEventsFromText(content: string, name = 'input'): unknown[] {
  const { events, unreadable } = readFindingEvents(content, name);
  if (unreadable.length > 0) throw new GuardDutyDocumentError(`${unreadable[0].where}: ${unreadable[0].reason}`);
  return events;
}
