import type { EntityType, Indicator, Investigation, Severity, State, Status } from './model';

/** Response bodies, member for member as Detective's (PascalCase; timestamps as RFC 3339 strings). */
export interface GetInvestigationResponse {
  GraphArn?: string;
  InvestigationId: string;
  EntityArn: string;
  EntityType: EntityType;
  CreatedTime: string;
  ScopeStartTime: string;
  ScopeEndTime: string;
  Status: Status;
  Severity: Severity;
  State: State;
}

export interface InvestigationDetail {
  InvestigationId: string;
  Severity: Severity;
  Status: Status;
  State: State;
  CreatedTime: string;
  EntityArn: string;
  EntityType: EntityType;
}

export interface ListInvestigationsResponse {
  InvestigationDetails: InvestigationDetail[];
  NextToken?: string;
}

export interface ListIndicatorsResponse {
  GraphArn?: string;
  InvestigationId: string;
  NextToken?: string;
  Indicators: Indicator[];
}

export interface StartInvestigationResponse {
  InvestigationId: string;
}

/**
 * A deployment is one behavior graph: the GraphArn a caller sends is echoed back, else the one the
 * investigation was started with, so Detective scripts that compare it keep working.
 */
export function toGetInvestigationResponse(investigation: Investigation, requestGraphArn?: string): GetInvestigationResponse {
  return {
    GraphArn: requestGraphArn ?? investigation.graphArn,
    InvestigationId: investigation.investigationId,
    EntityArn: investigation.entityArn,
    EntityType: investigation.entityType,
    CreatedTime: investigation.createdTime,
    ScopeStartTime: investigation.scopeStartTime,
    ScopeEndTime: investigation.scopeEndTime,
    Status: investigation.status,
    Severity: investigation.severity,
    State: investigation.state,
  };
}

export function toInvestigationDetail(investigation: Investigation): InvestigationDetail {
  return {
    InvestigationId: investigation.investigationId,
    Severity: investigation.severity,
    Status: investigation.status,
    State: investigation.state,
    CreatedTime: investigation.createdTime,
    EntityArn: investigation.entityArn,
    EntityType: investigation.entityType,
  };
}
