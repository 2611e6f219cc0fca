import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** Validates a route's response body against openapi/trailhound-investigations.yaml (for suites with real data). */
interface Document {
  paths: Record<string, { post: { responses: Record<string, { $ref?: string; content?: { 'application/json': { schema: { $ref: string } } } }> } }>;
  components: { schemas: Record<string, unknown>; responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }> };
}

const document = parse(readFileSync(join(__dirname, '../../openapi/trailhound-investigations.yaml'), 'utf8')) as Document;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addSchema(JSON.parse(JSON.stringify({ $id: 'trailhound', $defs: document.components.schemas }).replaceAll('#/components/schemas/', 'trailhound#/$defs/')) as object);

/** Undefined when the body matches the schema documented for its status, else the errors. */
export function openApiViolations(path: string, status: number, body: unknown): string | undefined {
  const documented = document.paths[path]?.post.responses[String(status)];
  if (!documented) return `${path} documents no ${status} response`;
  const content = documented.$ref ? document.components.responses[documented.$ref.split('/').pop() as string].content : documented.content;
  const validate = ajv.getSchema((content?.['application/json'].schema.$ref ?? '').replace('#/components/schemas/', 'trailhound#/$defs/'));
  if (!validate) return `no schema for ${path} ${status}`;
  return validate(body) ? undefined : ajv.errorsText(validate.errors);
}
