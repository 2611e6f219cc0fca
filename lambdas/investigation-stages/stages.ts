/**
 * The Lambda functions behind the investigation state machine (statemachines/investigation.asl.json).
 * The ASL names each function as `${<Stage>FunctionArn}`; the CDK stack substitutes the deployed ARNs
 * (DefinitionSubstitutions) and the local runner binds the same names to the same handlers.
 */
export const INVESTIGATION_STAGES = [
  'ResolveScope',
  'ApiActivity',
  'TtpsObserved',
  'NewBehaviour',
  'ImpossibleTravel',
  'FlaggedIps',
  'RelatedFindings',
  'Score',
  'MarkFailed',
] as const;

export type InvestigationStage = (typeof INVESTIGATION_STAGES)[number];

/** Handler file of each stage, relative to the repository root (each exports `handler`). */
export function stageEntry(stage: InvestigationStage): string {
  const file = stage.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  return `lambdas/investigation-stages/${file}.ts`;
}

export function substitutionKey(stage: InvestigationStage): string {
  return `${stage}FunctionArn`;
}

export const STATE_MACHINE_DEFINITION = 'statemachines/investigation.asl.json';
