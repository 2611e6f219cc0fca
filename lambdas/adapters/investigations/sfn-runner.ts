import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { InvestigationExecutionInput } from '../../core/investigation/model';
import type { InvestigationRunner } from '../../core/investigation/ports';

/** Environment variable with the ARN of the investigation state machine. */
export const STATE_MACHINE_ARN_ENV = 'STATE_MACHINE_ARN';

/**
 * Starts one Step Functions execution per investigation, named after the investigation id: execution names
 * are unique per state machine (for 90 days), so a retried start can never run the analysis twice.
 */
export class StepFunctionsRunner implements InvestigationRunner {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): StepFunctionsRunner {
    const arn = env[STATE_MACHINE_ARN_ENV];
    if (!arn) throw new Error(`environment variable ${STATE_MACHINE_ARN_ENV} (ARN of the investigation state machine) is not set`);
    return new StepFunctionsRunner(new SFNClient({ maxAttempts: 5 }), arn);
  }

  async start(investigationId: string, input: InvestigationExecutionInput): Promise<void> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: investigationId, input: JSON.stringify(input) }));
    } catch (error) {
      // Already started by an earlier attempt of this same request: the goal is reached.
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }
}
