import { errorResponse, MAX_REQUEST_BODY_BYTES, requestTooLarge } from '../../lambdas/api/http';
import { BODY_SIZE_RULE_NAME, inspectionLimitFor, WAF_BODY_INSPECTION_LIMITS, type WafBodyInspectionLimit } from '../../lib/api-web-acl';
import { logicalId, synth, type Synthesized } from './synth';

interface WebAclResource {
  Properties: {
    Scope: string;
    DefaultAction: Record<string, unknown>;
    AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: WafBodyInspectionLimit } } };
    CustomResponseBodies: Record<string, { ContentType: string; Content: string }>;
    Rules: Array<{
      Name: string;
      Priority: number;
      Statement: {
        SizeConstraintStatement?: {
          FieldToMatch: { Body?: { OversizeHandling: string } };
          ComparisonOperator: string;
          Size: number;
          TextTransformations: Array<{ Priority: number; Type: string }>;
        };
      };
      Action: { Block?: { CustomResponse: { ResponseCode: number; CustomResponseBodyKey: string; ResponseHeaders: Array<{ Name: string; Value: string }> } } };
    }>;
  };
}

function webAcls(synthesized: Synthesized): Record<string, WebAclResource> {
  return synthesized.template.findResources('AWS::WAFv2::WebACL') as Record<string, WebAclResource>;
}

describe('investigation API web ACL', () => {
  let synthesized: Synthesized;
  let webAcl: WebAclResource;
  beforeAll(() => {
    synthesized = synth();
    const all = Object.values(webAcls(synthesized));
    expect(all).toHaveLength(1);
    webAcl = all[0];
  });

  it('is a regional web ACL that allows by default, with one rule', () => {
    expect(webAcl.Properties.Scope).toBe('REGIONAL');
    expect(webAcl.Properties.DefaultAction).toEqual({ Allow: {} });
    expect(webAcl.Properties.Rules.map((rule) => rule.Name)).toEqual([BODY_SIZE_RULE_NAME]);
  });

  it('is associated with the prod stage of the API', () => {
    const associations = Object.values(synthesized.template.findResources('AWS::WAFv2::WebACLAssociation')) as Array<{ Properties: { ResourceArn: unknown; WebACLArn: unknown } }>;
    expect(associations).toHaveLength(1);
    const { api } = synthesized.stack.investigationApi;
    expect(associations[0].Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [Object.keys(webAcls(synthesized))[0], 'Arn'] });
    const arn = JSON.stringify(associations[0].Properties.ResourceArn);
    expect(arn).toContain(`":apigateway:",{"Ref":"AWS::Region"},"::/restapis/",{"Ref":"${logicalId(api)}"},"/stages/",{"Ref":"${logicalId(api.deploymentStage)}"}`);
  });

  it('matches a body over the handler’s own limit, and any body too long to inspect (oversize handling MATCH)', () => {
    const statement = webAcl.Properties.Rules[0].Statement.SizeConstraintStatement;
    expect(statement).toEqual({
      FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
      ComparisonOperator: 'GT',
      // The handler's constant, imported: the two limits cannot drift apart.
      Size: MAX_REQUEST_BODY_BYTES,
      TextTransformations: [{ Priority: 0, Type: 'NONE' }],
    });
  });

  it('inspects at least the handler’s limit, so no body the handler accepts is oversize, and no more than needed (larger limits cost extra)', () => {
    const limit = webAcl.Properties.AssociationConfig.RequestBody.API_GATEWAY.DefaultSizeInspectionLimit;
    expect(WAF_BODY_INSPECTION_LIMITS[limit]).toBeGreaterThanOrEqual(MAX_REQUEST_BODY_BYTES);
    const smaller = Object.values(WAF_BODY_INSPECTION_LIMITS).filter((bytes) => bytes < WAF_BODY_INSPECTION_LIMITS[limit]);
    for (const bytes of smaller) expect(bytes).toBeLessThan(MAX_REQUEST_BODY_BYTES);
    // Today: the default, 16 KiB, which costs nothing extra.
    expect(limit).toBe('KB_16');
  });

  it('blocks with the handler’s own 413: status, JSON body and x-amzn-ErrorType', () => {
    const handlers413 = errorResponse(requestTooLarge(), 'any');
    const custom = webAcl.Properties.Rules[0].Action.Block?.CustomResponse;
    expect(custom?.ResponseCode).toBe(413);
    expect(custom?.ResponseCode).toBe(handlers413.statusCode);
    // WAF sends custom response headers as named (only headers it inserts into requests get the x-amzn-waf- prefix).
    expect(custom?.ResponseHeaders).toEqual([{ Name: 'x-amzn-ErrorType', Value: 'RequestEntityTooLargeException' }]);
    expect(handlers413.headers?.['x-amzn-ErrorType']).toBe('RequestEntityTooLargeException');
    expect(webAcl.Properties.CustomResponseBodies[custom!.CustomResponseBodyKey]).toEqual({ ContentType: 'APPLICATION_JSON', Content: handlers413.body });
    expect(JSON.parse(handlers413.body)).toEqual({ Message: `The request body must not be larger than ${MAX_REQUEST_BODY_BYTES} bytes.` });
  });

  it('is left out with apiWebAcl=false', () => {
    const without = synth({ apiWebAcl: 'false' });
    without.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    without.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    expect(without.stack.investigationApi.webAcl).toBeUndefined();
    // The 10 MB gateway response stays.
    without.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'REQUEST_TOO_LARGE', StatusCode: '413' });
    // Explicitly on is the default.
    synth({ apiWebAcl: true }).template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('logs whether WAF blocked a request in the access log', () => {
    const stage = Object.values(synthesized.template.findResources('AWS::ApiGateway::Stage'))[0] as { Properties: { AccessLogSetting: { Format: string } } };
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format)).toMatchObject({ wafResponseCode: '$context.wafResponseCode', status: '$context.status' });
  });
});

describe('inspectionLimitFor', () => {
  it('picks the smallest inspection limit that covers a body limit, and refuses one WAF cannot inspect', () => {
    expect(inspectionLimitFor(1)).toBe('KB_16');
    expect(inspectionLimitFor(16 * 1024)).toBe('KB_16');
    expect(inspectionLimitFor(16 * 1024 + 1)).toBe('KB_32');
    expect(inspectionLimitFor(64 * 1024)).toBe('KB_64');
    expect(() => inspectionLimitFor(64 * 1024 + 1)).toThrow(/at most 65536 bytes/);
  });
});
