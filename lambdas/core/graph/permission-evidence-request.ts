import { GRAPH_ARN_PATTERN } from '../investigation/arns';
import { MAX_TOKEN_LENGTH } from '../investigation/pagination';
import { ObjectReader, Violations } from '../investigation/validation';

/** POST /investigations/listPermissionEvidence: an investigation's permission facts, a page at a time. */
export interface ListPermissionEvidenceRequest {
  graphArn?: string;
  investigationId: string;
  maxResults: number;
  nextToken?: string;
}

export const PERMISSION_EVIDENCE_MAX_RESULTS = { min: 1, max: 50 } as const;
export const PERMISSION_EVIDENCE_DEFAULT_MAX_RESULTS = 20;

export function parseListPermissionEvidence(value: unknown): ListPermissionEvidenceRequest {
  const violations = new Violations();
  const body = ObjectReader.of(value, '', ['GraphArn', 'InvestigationId', 'MaxResults', 'NextToken'], violations);
  const graphArn = body?.string('GraphArn', { pattern: GRAPH_ARN_PATTERN, patternCode: 'INVALID_GRAPH_ARN' });
  const investigationId = body?.string('InvestigationId', { required: true, minLength: 21, maxLength: 21, pattern: /^[0-9]+$/ });
  const maxResults = body?.integer('MaxResults', PERMISSION_EVIDENCE_MAX_RESULTS);
  const nextToken = body?.string('NextToken', { minLength: 1, maxLength: MAX_TOKEN_LENGTH });
  violations.throwIfAny();
  return {
    ...(graphArn ? { graphArn } : {}),
    investigationId: investigationId!,
    maxResults: maxResults ?? PERMISSION_EVIDENCE_DEFAULT_MAX_RESULTS,
    ...(nextToken ? { nextToken } : {}),
  };
}
