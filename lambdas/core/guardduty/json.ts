/** Small readers for untyped JSON: findings arrive as `unknown` and are checked field by field. */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The member at a path of object keys, or undefined as soon as a step is not an object. */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** A non-empty string, else undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * GuardDuty's EventBridge events and its REST API use camelCase members (`accessKeyDetails`); the AWS CLI and
 * the SDKs print the same shapes in PascalCase (`AccessKeyDetails`). Lower-casing the first letter of every
 * key maps the latter onto the former (tags become `{key, value}`, as in EventBridge events too), and leaves
 * camelCase input unchanged.
 */
export function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  // SDK outputs may hold Dates where JSON holds ISO strings.
  if (value instanceof Date) return value.toISOString();
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key.charAt(0).toLowerCase() + key.slice(1), camelCaseKeys(member)]));
}
