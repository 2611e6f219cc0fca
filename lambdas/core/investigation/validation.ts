import { validationError, type ValidationErrorCode } from './errors';
import { parseTimestamp } from './time';

/**
 * A small reader for JSON request bodies that collects every violation before failing, worded like AWS
 * services word theirs ("2 validation errors detected: Value ... at 'X' failed to satisfy constraint: ...").
 * Hand-written rather than a schema library: five flat request shapes, and the messages are the point.
 */
export class Violations {
  private readonly messages: string[] = [];
  private readonly codes: ValidationErrorCode[] = [];
  private total = 0;

  add(message: string, code: ValidationErrorCode = 'INVALID_REQUEST_BODY'): void {
    this.total++;
    // Only the first few are kept: a body with 100,000 unknown members must not produce a 20 MB error.
    if (this.messages.length >= MAX_REPORTED_VIOLATIONS) return;
    this.messages.push(message);
    this.codes.push(code);
  }

  get count(): number {
    return this.total;
  }

  throwIfAny(): void {
    const n = this.total;
    if (n === 0) return;
    // A lone bad graph ARN gets Detective's dedicated code; anything else is a bad request body.
    const code = n === 1 ? this.codes[0] : 'INVALID_REQUEST_BODY';
    const more = n > this.messages.length ? `; and ${n - this.messages.length} more` : '';
    throw validationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${this.messages.join('; ')}${more}`, code);
  }
}

/** Violations listed in one error message; the count covers all of them. */
export const MAX_REPORTED_VIOLATIONS = 10;
/** Characters of a rejected value (or member name) echoed in a message. */
export const MAX_ECHOED_CHARS = 128;
const PREVIEW_DEPTH = 2;
const PREVIEW_ENTRIES = 4;

function clip(text: string, max = MAX_ECHOED_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * A short JSON-like rendering of a rejected value, built without JSON.stringify: that would recurse once per
 * nesting level (a 5,000-deep array overflows the stack) and copy a whole oversized payload before clipping.
 * Visits at most PREVIEW_ENTRIES members per level and PREVIEW_DEPTH levels, whatever the value.
 */
function preview(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(clip(value));
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth >= PREVIEW_DEPTH) return Array.isArray(value) ? '[...]' : '{...}';
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value.slice(0, PREVIEW_ENTRIES)) parts.push(preview(item, depth + 1));
    return `[${parts.join(',')}${value.length > PREVIEW_ENTRIES ? ',...' : ''}]`;
  }
  let more = false;
  for (const key in value) {
    if (parts.length === PREVIEW_ENTRIES) {
      more = true;
      break;
    }
    parts.push(`${JSON.stringify(clip(key, 32))}:${preview((value as Record<string, unknown>)[key], depth + 1)}`);
  }
  return `{${parts.join(',')}${more ? ',...' : ''}}`;
}

function shown(value: unknown): string {
  // Echo enough of the value to recognize it, never a whole oversized payload.
  return clip(typeof value === 'string' ? value : preview(value));
}

export interface StringRule {
  required?: boolean;
  pattern?: RegExp;
  minLength?: number;
  maxLength?: number;
  /** Said instead of the pattern's source when the pattern fails (for patterns too long to read). */
  patternDescription?: string;
  /** Error code when the pattern fails (INVALID_GRAPH_ARN for graph ARNs). */
  patternCode?: ValidationErrorCode;
}

export interface IntegerRule {
  min: number;
  max: number;
}

export class ObjectReader {
  private constructor(
    private readonly value: Record<string, unknown>,
    private readonly path: string,
    readonly violations: Violations,
  ) {}

  /** Reads a JSON object, reporting a non-object and every member not in `allowed`. */
  static of(value: unknown, path: string, allowed: readonly string[], violations: Violations): ObjectReader | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      violations.add(`Value at '${path || 'body'}' failed to satisfy constraint: Member must be a JSON object`);
      return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) violations.add(`Field '${ObjectReader.join(path, clip(key, 64))}' is not recognized; expected one of ${allowed.join(', ')}`);
    }
    return new ObjectReader(record, path, violations);
  }

  private static join(path: string, name: string): string {
    return path ? `${path}.${name}` : name;
  }

  private at(name: string): string {
    return ObjectReader.join(this.path, name);
  }

  /** Undefined for absent members; JSON null counts as absent, as AWS services treat it. */
  private raw(name: string, required: boolean): unknown {
    const value = this.value[name];
    if (value === undefined || value === null) {
      if (required) this.violations.add(`Value null at '${this.at(name)}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    return value;
  }

  string(name: string, rule: StringRule = {}): string | undefined {
    const value = this.raw(name, rule.required ?? false);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.violations.add(`Value ${shown(value)} at '${this.at(name)}' failed to satisfy constraint: Member must be a string`);
      return undefined;
    }
    const before = this.violations.count;
    if (rule.minLength !== undefined && value.length < rule.minLength) {
      this.violations.add(`Value '${shown(value)}' at '${this.at(name)}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.minLength}`);
    }
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      this.violations.add(`Value '${shown(value)}' at '${this.at(name)}' failed to satisfy constraint: Member must have length less than or equal to ${rule.maxLength}`);
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      const constraint = rule.patternDescription ?? `Member must satisfy regular expression pattern: ${rule.pattern.source}`;
      this.violations.add(`Value '${shown(value)}' at '${this.at(name)}' failed to satisfy constraint: ${constraint}`, rule.patternCode);
    }
    return this.violations.count === before ? value : undefined;
  }

  enumeration<T extends string>(name: string, values: readonly T[], required = false): T | undefined {
    const value = this.raw(name, required);
    if (value === undefined) return undefined;
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    this.violations.add(`Value '${shown(value)}' at '${this.at(name)}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`);
    return undefined;
  }

  integer(name: string, rule: IntegerRule): number | undefined {
    const value = this.raw(name, false);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.violations.add(`Value ${shown(value)} at '${this.at(name)}' failed to satisfy constraint: Member must be an integer`);
      return undefined;
    }
    if (value < rule.min) {
      this.violations.add(`Value '${value}' at '${this.at(name)}' failed to satisfy constraint: Member must have value greater than or equal to ${rule.min}`);
      return undefined;
    }
    if (value > rule.max) {
      this.violations.add(`Value '${value}' at '${this.at(name)}' failed to satisfy constraint: Member must have value less than or equal to ${rule.max}`);
      return undefined;
    }
    return value;
  }

  /** An RFC 3339 timestamp string, as epoch milliseconds. */
  timestamp(name: string, required = false): number | undefined {
    const value = this.raw(name, required);
    if (value === undefined) return undefined;
    const millis = typeof value === 'string' ? parseTimestamp(value) : undefined;
    if (millis === undefined) {
      this.violations.add(`Value '${shown(value)}' at '${this.at(name)}' failed to satisfy constraint: Member must be an RFC 3339 (ISO 8601) date-time string, e.g. 2021-08-18T16:35:56.284Z`);
    }
    return millis;
  }

  object(name: string, allowed: readonly string[], required = false): ObjectReader | undefined {
    const value = this.raw(name, required);
    if (value === undefined) return undefined;
    return ObjectReader.of(value, this.at(name), allowed, this.violations);
  }

  /** Records a cross-field violation (e.g. an end before a start). */
  fail(message: string): void {
    this.violations.add(message);
  }
}
