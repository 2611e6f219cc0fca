import { MAX_REQUEST_BODY_BYTES } from '../../lambdas/api/http';
import { ROUTES } from '../../lambdas/api/router';
import { MAX_IAM_NAME_LENGTH, MAX_IAM_PATH_LENGTH } from '../../lambdas/core/investigation/arns';
import { INDICATOR_TYPES } from '../../lambdas/core/investigation/model';
import { MAX_TOKEN_LENGTH } from '../../lambdas/core/investigation/pagination';
import {
  MAX_STRING_FILTER_LENGTH,
  parseGetInvestigation,
  parseListIndicators,
  parseListInvestigations,
  parseStartInvestigation,
  parseUpdateInvestigationState,
} from '../../lambdas/core/investigation/requests';
import { MAX_MATCH_MEMBERS, MAX_MATCH_VALUE_LENGTH, MAX_MINUTE_SCOPE_MS, MAX_PEER_FILTER_LENGTH, parseGetApiCallVolume, parseGetFlowVolume, parseListIndicatorEvidence } from '../../lambdas/core/graph/requests';
import { MAX_ENTITY_ID_LENGTH, parseListRelatedEntities, parseSearchEntities } from '../../lambdas/core/graph/requests';
import { MAX_QUERY_LENGTH } from '../../lambdas/core/graph/glob';
import { parseGetEntityProfile, parseGetSummary } from '../../lambdas/core/graph/requests';
import { parseGetPermissions } from '../../lambdas/core/graph/permissions-request';
import { parseListPermissionEvidence } from '../../lambdas/core/graph/permission-evidence-request';
import { MAX_FINDING_TYPE_PREFIX, parseListFindings } from '../../lambdas/core/graph/requests';
import { getSettings } from '../../lambdas/api/graph/settings';
import { parseGetNetworkReport } from '../../lambdas/core/graph/network-request';

/**
 * MAX_REQUEST_BODY_BYTES refuses nothing legitimate: the largest request each operation accepts (every member
 * present, every string as long as its validator allows) is a small fraction of it, even pretty-printed.
 * Whatever refuses larger bodies (the handler, the deployed web ACL, API Gateway) only refuses bad input.
 */
const GRAPH_ARN = `arn:aws-iso-b:detective:us-isob-east-1:111122223333:graph:${'a'.repeat(32)}`;
// Nanosecond precision and an offset: the longest timestamp form the API reads.
const START = '2026-01-01T00:00:00.123456789+00:00';
const END = '2026-01-02T00:00:00.123456789+00:00';
const INVESTIGATION_ID = '123456789012345678901';
const LONGEST_ENTITY_ARN = `arn:aws-us-gov:iam::111122223333:role/${'p'.repeat(MAX_IAM_PATH_LENGTH - 2)}/${'n'.repeat(MAX_IAM_NAME_LENGTH)}`;
const LONGEST_TOKEN = 'A'.repeat(MAX_TOKEN_LENGTH);
const LONGEST_INDICATOR_TYPE = [...INDICATOR_TYPES].sort((a, b) => b.length - a.length)[0];

const LARGEST: Record<string, { body: object; parse: (body: unknown) => unknown }> = {
  'POST /investigations/startInvestigation': {
    body: { GraphArn: GRAPH_ARN, EntityArn: LONGEST_ENTITY_ARN, ScopeStartTime: START, ScopeEndTime: END },
    parse: (body) => parseStartInvestigation(body, { nowMillis: Date.parse('2026-02-01T00:00:00Z'), maxScopeDays: 30 }),
  },
  'POST /investigations/getInvestigation': { body: { GraphArn: GRAPH_ARN, InvestigationId: INVESTIGATION_ID }, parse: parseGetInvestigation },
  'POST /investigations/listInvestigations': {
    body: {
      GraphArn: GRAPH_ARN,
      NextToken: LONGEST_TOKEN,
      MaxResults: 100,
      FilterCriteria: {
        Severity: { Value: 'INFORMATIONAL' },
        Status: { Value: 'SUCCESSFUL' },
        State: { Value: 'ARCHIVED' },
        EntityArn: { Value: `arn:${'x'.repeat(MAX_STRING_FILTER_LENGTH - 4)}` },
        CreatedTime: { StartInclusive: START, EndInclusive: END },
      },
      SortCriteria: { Field: 'CREATED_TIME', SortOrder: 'DESC' },
    },
    parse: parseListInvestigations,
  },
  'POST /investigations/listIndicators': {
    body: { GraphArn: GRAPH_ARN, InvestigationId: INVESTIGATION_ID, IndicatorType: LONGEST_INDICATOR_TYPE, MaxResults: 100, NextToken: LONGEST_TOKEN },
    parse: parseListIndicators,
  },
  'POST /investigations/updateInvestigationState': { body: { GraphArn: GRAPH_ARN, InvestigationId: INVESTIGATION_ID, State: 'ARCHIVED' }, parse: parseUpdateInvestigationState },
  'POST /investigations/listIndicatorEvidence': {
    body: {
      GraphArn: GRAPH_ARN,
      InvestigationId: INVESTIGATION_ID,
      IndicatorType: LONGEST_INDICATOR_TYPE,
      Match: Object.fromEntries(['StartingIpAddress', 'EndingIpAddress', 'Procedure'].slice(0, MAX_MATCH_MEMBERS).map((name) => [name, 'm'.repeat(MAX_MATCH_VALUE_LENGTH)])),
      // The longer kind (FLOWS is for FLAGGED_IP_ADDRESS only).
      EvidenceKind: 'EVENTS',
      MaxResults: 50,
      NextToken: LONGEST_TOKEN,
    },
    parse: parseListIndicatorEvidence,
  },
  'POST /investigations/listPermissionEvidence': { body: { GraphArn: GRAPH_ARN, InvestigationId: INVESTIGATION_ID, MaxResults: 50, NextToken: LONGEST_TOKEN }, parse: parseListPermissionEvidence },
  'POST /graph/getApiCallVolume': {
    body: {
      GraphArn: GRAPH_ARN,
      EntityType: 'ROLE_SESSION',
      EntityId: LONGEST_ENTITY_ARN,
      ScopeStartTime: START,
      ScopeEndTime: new Date(Date.parse(START) + MAX_MINUTE_SCOPE_MS).toISOString(),
      Granularity: 'MINUTE',
      GroupBy: 'ERROR_CODE',
      Filter: { Api: 'a'.repeat(256), SourceIp: 'i'.repeat(128), Caller: `arn:${'c'.repeat(1020)}`, Session: 's'.repeat(128), ErrorCode: 'e'.repeat(128) },
    },
    // The longest EntityId is checked against its type elsewhere: here only the sizes matter.
    parse: (body) => parseGetApiCallVolume({ ...(body as object), EntityType: 'IAM_ROLE' }, { nowMillis: Date.parse('2026-02-01T00:00:00Z'), maxScopeDays: 30 }),
  },
  'POST /graph/getFlowVolume': {
    body: {
      GraphArn: GRAPH_ARN,
      EntityType: 'EC2_INSTANCE',
      EntityId: 'i-0123456789abcdef0',
      ScopeStartTime: START,
      ScopeEndTime: END,
      Granularity: 'HOUR',
      GroupBy: 'DIRECTION',
      Filter: { PeerIp: 'p'.repeat(MAX_PEER_FILTER_LENGTH), Port: 65535, Protocol: 255, Direction: 'OUTBOUND', Action: 'REJECT' },
    },
    parse: (body) => parseGetFlowVolume(body, { nowMillis: Date.parse('2026-02-01T00:00:00Z'), maxScopeDays: 30 }),
  },
  'POST /graph/searchEntities': {
    body: { GraphArn: GRAPH_ARN, EntityType: 'FEDERATED_USER', Query: 'q'.repeat(MAX_QUERY_LENGTH), ScopeStartTime: START, ScopeEndTime: END, MaxResults: 100, NextToken: LONGEST_TOKEN },
    parse: (body) => parseSearchEntities(body, { nowMillis: Date.parse('2026-02-01T00:00:00Z'), maxScopeDays: 30 }),
  },
  'POST /graph/listRelatedEntities': {
    body: { GraphArn: GRAPH_ARN, EntityType: 'FEDERATED_USER', EntityId: 'e'.repeat(MAX_ENTITY_ID_LENGTH), RelatedEntityType: 'FEDERATED_USER', ScopeStartTime: START, ScopeEndTime: END, MaxResults: 100, NextToken: LONGEST_TOKEN },
    parse: (body) => parseListRelatedEntities(body, { nowMillis: Date.parse('2026-02-01T00:00:00Z'), maxScopeDays: 30 }),
  },
  'POST /graph/getEntityProfile': {
    body: { GraphArn: GRAPH_ARN, EntityType: 'FEDERATED_USER', EntityId: `sso-user#${'u'.repeat(1000)}`, ScopeStartTime: START, ScopeEndTime: END },
    parse: (body) => parseGetEntityProfile(body, { nowMillis: Date.parse('2026-02-01T00:00:00Z'), retentionDays: 365, maxScopeDays: 30 }),
  },
  'POST /graph/getSummary': {
    body: { GraphArn: GRAPH_ARN, ScopeStartTime: START, ScopeEndTime: END, HideServiceLinkedRoles: false },
    parse: (body) => parseGetSummary(body, { nowMillis: Date.parse('2026-02-01T00:00:00Z'), retentionDays: 365, maxScopeDays: 30 }),
  },
  'POST /graph/getPermissions': {
    body: { GraphArn: GRAPH_ARN, EntityType: 'IAM_ROLE', EntityId: LONGEST_ENTITY_ARN, AtTime: START },
    parse: (body) => parseGetPermissions(body, { nowMillis: Date.parse('2026-02-01T00:00:00Z') }),
  },
  'POST /graph/listFindings': {
    body: {
      GraphArn: GRAPH_ARN,
      ScopeStartTime: START,
      ScopeEndTime: END,
      MaxResults: 100,
      NextToken: LONGEST_TOKEN,
      FilterCriteria: { Severity: { Value: 'CRITICAL' }, Type: { Value: 't'.repeat(MAX_FINDING_TYPE_PREFIX) }, Outcome: { Value: 'SKIPPED' } },
    },
    parse: (body) => parseListFindings(body, { nowMillis: Date.parse('2026-02-01T00:00:00Z') }),
  },
  'POST /graph/getSettings': {
    body: { GraphArn: GRAPH_ARN },
    parse: (body) => getSettings({ retentionDays: 365, maxScopeDays: 30, now: () => Date.parse('2026-02-01T00:00:00Z') }, body),
  },
  'POST /graph/getNetworkReport': {
    body: { GraphArn: GRAPH_ARN, EntityType: 'EC2_INSTANCE', EntityId: 'i-0123456789abcdef0', ScopeStartTime: START, ScopeEndTime: END },
    parse: (body) => parseGetNetworkReport(body, { nowMillis: Date.parse('2026-02-01T00:00:00Z'), maxScopeDays: 30 }),
  },
};

describe('request body limit', () => {
  it('covers every operation', () => {
    expect(Object.keys(LARGEST).sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it.each(Object.entries(LARGEST))('leaves the largest valid %s body, pretty-printed, under a quarter of the limit', (_route, { body, parse }) => {
    // Valid: every member at its longest is accepted.
    expect(() => parse(body)).not.toThrow();
    expect(Buffer.byteLength(JSON.stringify(body, null, 2))).toBeLessThan(MAX_REQUEST_BODY_BYTES / 4);
  });

  it('fits the largest body of all, ListInvestigations, in about 3 KB compact', () => {
    const compact = Buffer.byteLength(JSON.stringify(LARGEST['POST /investigations/listInvestigations'].body));
    expect(compact).toBeGreaterThan(2_900);
    expect(compact).toBeLessThan(3_300);
  });
});
