import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** The OpenAPI document's component schemas, to validate real responses against (OpenAPI 3.1 schemas are JSON Schema 2020-12). */
const document = parse(readFileSync(join(__dirname, '../../openapi/trailhound-investigations.yaml'), 'utf8')) as { components: { schemas: Record<string, unknown> } };
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addSchema(JSON.parse(JSON.stringify({ $id: 'trailhound', $defs: document.components.schemas }).replaceAll('#/components/schemas/', 'trailhound#/$defs/')) as object);

/** Throws with the schema's complaints unless `value` is valid against the named component schema. */
export function expectSchema(name: string, value: unknown): void {
  const validate = ajv.getSchema(`trailhound#/$defs/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  if (!validate(value)) throw new Error(`${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`);
}
