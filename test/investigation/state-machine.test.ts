import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { renderDefinition } from '../../local/investigation-runner';
import { INVESTIGATION_STAGES, STATE_MACHINE_DEFINITION, stageEntry, substitutionKey } from '../../lambdas/investigation-stages/stages';

/** The ASL file is the one the stack deploys and the local runner executes: check it once for both. */
const ROOT = join(__dirname, '..', '..');
const raw = readFileSync(join(ROOT, STATE_MACHINE_DEFINITION), 'utf8');

interface State {
  Type: string;
  Resource?: string;
  Branches?: { States: Record<string, State> }[];
  Retry?: unknown[];
  Catch?: { Next: string }[];
}

function taskStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, State]] : []),
    ...(state.Branches ?? []).flatMap((branch) => taskStates(branch.States)),
  ]);
}

describe('investigation state machine definition', () => {
  it('is valid Amazon States Language once substituted', () => {
    const result = aslValidator(renderDefinition());
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('names every stage function through a DefinitionSubstitutions placeholder, and nothing else', () => {
    const placeholders = new Set([...raw.matchAll(/\$\{([A-Za-z]+)\}/g)].map((m) => m[1]));
    expect(placeholders).toEqual(new Set(INVESTIGATION_STAGES.map(substitutionKey)));
  });

  it('binds each Task state to the stage of the same name, which has a handler file', () => {
    const definition = JSON.parse(raw) as { States: Record<string, State> };
    const tasks = taskStates(definition.States);
    expect(tasks.map(([name]) => name).sort()).toEqual([...INVESTIGATION_STAGES].sort());
    for (const [name, state] of tasks) {
      expect(state.Resource).toBe(`\${${name}FunctionArn}`);
      expect(existsSync(join(ROOT, stageEntry(name as (typeof INVESTIGATION_STAGES)[number])))).toBe(true);
      expect(state.Retry).toBeDefined(); // throttling and transient Lambda errors are retried
    }
  });

  it('sends every failure path to MarkFailed', () => {
    const definition = JSON.parse(raw) as { States: Record<string, State> };
    const topLevel = Object.entries(definition.States).filter(([name, s]) => (s.Type === 'Task' || s.Type === 'Parallel') && name !== 'MarkFailed');
    for (const [, state] of topLevel) expect(state.Catch?.map((c) => c.Next)).toEqual(['MarkFailed']);
  });
});
