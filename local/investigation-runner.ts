// aws-local-stepfunctions uses Promise.withResolvers (Node 22); the local mode also runs on Node 20.
import 'core-js/actual/promise/with-resolvers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { InvestigationRunner } from '../lambdas/core/investigation/ports';
import type { InvestigationExecutionInput } from '../lambdas/core/investigation/model';
import { INVESTIGATION_STAGES, STATE_MACHINE_DEFINITION, substitutionKey, type InvestigationStage } from '../lambdas/investigation-stages/stages';
import { errorMessage, log } from '../lambdas/shared/log';

/**
 * Runs the SAME ASL file the stack deploys on a local Amazon States Language interpreter
 * (aws-local-stepfunctions), with each Task state bound to the SAME stage handler that runs in Lambda.
 * DefinitionSubstitutions are applied as CloudFormation would, with local function ARNs.
 */
export type StageHandler = (input: never) => Promise<unknown>;
export type StageHandlers = Record<InvestigationStage, StageHandler>;

export interface ExecutionOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
}

const ROOT = join(__dirname, '..');

/** The definition with `${<Stage>FunctionArn}` replaced, as DefinitionSubstitutions does in AWS. */
export function renderDefinition(region = 'us-east-1', account = '000000000000'): Record<string, unknown> {
  let text = readFileSync(join(ROOT, STATE_MACHINE_DEFINITION), 'utf8');
  for (const stage of INVESTIGATION_STAGES) {
    text = text.split(`\${${substitutionKey(stage)}}`).join(`arn:aws:lambda:${region}:${account}:function:trailhound-${stage}`);
  }
  const unresolved = /\$\{[A-Za-z]+\}/.exec(text);
  if (unresolved) throw new Error(`${STATE_MACHINE_DEFINITION}: no substitution for ${unresolved[0]}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Binds each Task state (named after its stage) to the stage's handler module. */
export async function loadStageHandlers(): Promise<StageHandlers> {
  const entries = await Promise.all(
    INVESTIGATION_STAGES.map(async (stage) => {
      const file = stage.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
      const module = (await import(`../lambdas/investigation-stages/${file}`)) as { handler: StageHandler };
      return [stage, module.handler] as const;
    }),
  );
  return Object.fromEntries(entries) as StageHandlers;
}

export class LocalInvestigationRunner implements InvestigationRunner {
  private readonly machine: StateMachine;
  private readonly executions = new Map<string, Promise<ExecutionOutcome>>();

  constructor(
    private readonly handlers: StageHandlers,
    private readonly options: { retryIntervalMs?: number } = {},
  ) {
    this.machine = new StateMachine(renderDefinition() as never, { validationOptions: { checkArn: true, checkPaths: true } });
  }

  /**
   * Like StartExecution named after the investigation: returns at once, the execution goes on in the
   * background, and starting a name that already runs is a no-op (as the Step Functions runner treats
   * ExecutionAlreadyExists), so a resumed start cannot run an investigation twice.
   */
  async start(investigationId: string, input: InvestigationExecutionInput): Promise<void> {
    if (this.executions.has(investigationId)) return;
    this.executions.set(investigationId, this.execute(input));
  }

  /** Waits for an execution started by `start`. */
  async wait(investigationId: string): Promise<ExecutionOutcome> {
    const execution = this.executions.get(investigationId);
    if (!execution) throw new Error(`no execution ${investigationId}`);
    return execution;
  }

  async waitAll(): Promise<void> {
    await Promise.all(this.executions.values());
  }

  private async execute(input: InvestigationExecutionInput): Promise<ExecutionOutcome> {
    const taskResourceLocalHandlers = Object.fromEntries(Object.entries(this.handlers).map(([stage, handler]) => [stage, (value: unknown) => handler(value as never)]));
    const retryIntervalOverrides =
      this.options.retryIntervalMs === undefined ? undefined : Object.fromEntries(INVESTIGATION_STAGES.map((stage) => [stage, this.options.retryIntervalMs as number]));
    try {
      const execution = this.machine.run(input as never, {
        overrides: {
          taskResourceLocalHandlers: taskResourceLocalHandlers as never,
          // Locally the logs are ingested before any investigation starts: nothing is late to wait for.
          waitTimeOverrides: { WaitUntilLogsDelivered: 0 },
          ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
        },
      });
      const output = await execution.result;
      return { status: 'SUCCEEDED', output };
    } catch (error) {
      log.warn('investigation execution failed', { investigationId: input.investigationId, error: errorMessage(error) });
      return { status: 'FAILED', error: errorMessage(error) };
    }
  }
}
