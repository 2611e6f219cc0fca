import { Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { Construct } from 'constructs';
import { MAX_REQUEST_BODY_BYTES, tooLargeResponse } from '../lambdas/api/http';

/**
 * The body sizes AWS WAF can inspect for API Gateway (AssociationConfig), in bytes. 16 KiB is the default and
 * costs nothing extra; larger limits add a fee per request.
 */
export const WAF_BODY_INSPECTION_LIMITS = { KB_16: 16 * 1024, KB_32: 32 * 1024, KB_48: 48 * 1024, KB_64: 64 * 1024 } as const;
export type WafBodyInspectionLimit = keyof typeof WAF_BODY_INSPECTION_LIMITS;

/** The smallest inspection limit that covers `bytes`: a smaller one would block bodies the handler accepts. */
export function inspectionLimitFor(bytes: number): WafBodyInspectionLimit {
  const fit = (Object.keys(WAF_BODY_INSPECTION_LIMITS) as WafBodyInspectionLimit[]).find((limit) => WAF_BODY_INSPECTION_LIMITS[limit] >= bytes);
  if (fit === undefined) throw new Error(`AWS WAF inspects at most ${WAF_BODY_INSPECTION_LIMITS.KB_64} bytes of an API Gateway body; a limit of ${bytes} bytes cannot be enforced before Lambda`);
  return fit;
}

/**
 * A static response's headers but Content-Type, which WAF custom responses and API Gateway gateway responses
 * both derive from the body's content type.
 */
export function headersBesidesContentType(response: APIGatewayProxyResult): Record<string, string> {
  return Object.fromEntries(Object.entries(response.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-type').map(([name, value]) => [name, String(value)]));
}

/** The custom response body key of the 413 (a web ACL may hold several). */
export const TOO_LARGE_BODY_KEY = 'RequestEntityTooLarge';
export const BODY_SIZE_RULE_NAME = 'RequestBodyTooLarge';

export interface ApiWebAclProps {
  /** The API stage to protect (a web ACL for API Gateway is REGIONAL). */
  readonly stage: Stage;
}

/**
 * A web ACL on the API stage with one rule: a request body over MAX_REQUEST_BODY_BYTES (the handler's own
 * limit, declared once in lambdas/api/http.ts) gets the handler's own 413
 * (RequestEntityTooLargeException, Detective's `{Message}` shape, `x-amzn-ErrorType`) before Lambda is invoked.
 *
 * Without it, a body between Lambda's 6 MB synchronous invocation payload and API Gateway's 10 MB request
 * limit fails the invocation before the handler runs, and API Gateway answers a 5xx. AWS WAF is evaluated
 * before IAM authorization, so unsigned requests are refused the same way (and counted in its request fee).
 *
 * The rule is a size constraint on the body with oversize handling MATCH: WAF only sees the first
 * inspection-limit bytes of a body (16 KiB by default for API Gateway, 64 KiB at most), and MATCH makes every
 * longer body match, whatever its size (up to API Gateway's 10 MB). The inspection limit is the smallest that
 * covers the limit, so no body the handler accepts is oversize. Everything else is allowed: IAM and
 * throttling stay API Gateway's.
 *
 * Deliberately left out: a rate-based rule (stage throttling already caps the API, and WAF bills blocked
 * requests as well, so it would add $1 a month without saving any), and WAF logging (the API's access log
 * already has every blocked request, with status 413 and wafResponseCode WAF_BLOCK; the web ACL's CloudWatch
 * metrics and sampled requests show the rule at work).
 */
export class ApiWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly association: wafv2.CfnWebACLAssociation;

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);
    const maxBodyBytes = MAX_REQUEST_BODY_BYTES;
    const inspectionLimit = inspectionLimitFor(maxBodyBytes);
    // Metric names are per account and region: one set per stack.
    const metricPrefix = Stack.of(this).stackName;
    const tooLarge = tooLargeResponse();
    // WAF sets Content-Type from the body's content type, and refuses it as a custom header.
    const headers = Object.entries(headersBesidesContentType(tooLarge));

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: `Answers 413 to request bodies over ${maxBodyBytes} bytes before Lambda is invoked`,
      defaultAction: { allow: {} },
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: inspectionLimit } } },
      customResponseBodies: { [TOO_LARGE_BODY_KEY]: { contentType: 'APPLICATION_JSON', content: tooLarge.body } },
      rules: [
        {
          name: BODY_SIZE_RULE_NAME,
          priority: 0,
          statement: {
            sizeConstraintStatement: {
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: maxBodyBytes,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          action: {
            block: {
              customResponse: {
                responseCode: tooLarge.statusCode,
                customResponseBodyKey: TOO_LARGE_BODY_KEY,
                responseHeaders: headers.map(([name, value]) => ({ name, value })),
              },
            },
          },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${metricPrefix}-${BODY_SIZE_RULE_NAME}`, sampledRequestsEnabled: true },
        },
      ],
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${metricPrefix}-InvestigationApi`, sampledRequestsEnabled: true },
    });

    // The stage's ARN names it by its Ref, so the association waits for the stage to exist.
    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
