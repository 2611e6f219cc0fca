import type { ListRelatedEntitiesResponse } from '../lambdas/api/graph/related-entities';
import type { SearchEntitiesResponse } from '../lambdas/api/graph/search-entities';
import type { LocalApi } from './http/server';

/**
 * `npm start -- search …` and `npm start -- related …`: searchEntities and listRelatedEntities from the terminal,
 * through the same handler as the HTTP API (in process, no port), every page. They return lines; the caller
 * prints them with printLines, which escapes what log data (attacker-written) holds. `--json` prints the entities
 * as the API answers them.
 */
export interface SearchCommand {
  entityType: string;
  query: string;
  from?: string;
  to?: string;
  json: boolean;
}

export interface RelatedCommand {
  entityType: string;
  entityId: string;
  relatedEntityType: string;
  from: string;
  to: string;
  json: boolean;
}

/** An API refusal, printed as `<ErrorType>: <message>` on one line. */
export class EntityCommandError extends Error {}

async function pages<T>(api: LocalApi, path: string, body: Record<string, unknown>): Promise<T[]> {
  const entities: T[] = [];
  let nextToken: string | undefined;
  do {
    const request = { ...body, MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) };
    const result = await api({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(request)), sourceIp: '127.0.0.1' });
    const parsed = JSON.parse(result.body || '{}') as { Entities?: T[]; NextToken?: string; Message?: string };
    if (result.statusCode >= 400) {
      const error = new EntityCommandError(parsed.Message ?? `HTTP ${result.statusCode}`);
      error.name = String(result.headers?.['x-amzn-ErrorType'] ?? 'Error');
      throw error;
    }
    entities.push(...(parsed.Entities ?? []));
    nextToken = parsed.NextToken;
  } while (nextToken);
  return entities;
}

const json = (value: unknown): string[] => JSON.stringify(value, null, 2).split('\n');

export async function searchLines(api: LocalApi, command: SearchCommand): Promise<string[]> {
  const entities = await pages<SearchEntitiesResponse['Entities'][number]>(api, '/graph/searchEntities', {
    EntityType: command.entityType,
    Query: command.query,
    ...(command.from ? { ScopeStartTime: command.from } : {}),
    ...(command.to ? { ScopeEndTime: command.to } : {}),
  });
  if (command.json) return json(entities);
  const scope = command.from && command.to ? `${command.from} – ${command.to}` : 'the last 24 hours';
  return [
    '',
    `${command.entityType} matching ${JSON.stringify(command.query)} in ${scope}: ${entities.length}`,
    // Addresses say which logs saw them (CloudTrail, VPC flow logs).
    ...entities.map((e) => `  ${e.EntityId}${e.DisplayName !== e.EntityId ? `  (${e.DisplayName})` : ''}  ${e.FirstObservedTime} – ${e.LastObservedTime}${e.Sources ? `  [${e.Sources.join(', ')}]` : ''}`),
  ];
}

export async function relatedLines(api: LocalApi, command: RelatedCommand): Promise<string[]> {
  const entities = await pages<ListRelatedEntitiesResponse['Entities'][number]>(api, '/graph/listRelatedEntities', {
    EntityType: command.entityType,
    EntityId: command.entityId,
    RelatedEntityType: command.relatedEntityType,
    ScopeStartTime: command.from,
    ScopeEndTime: command.to,
  });
  if (command.json) return json(entities);
  return [
    '',
    `${command.relatedEntityType} related to ${command.entityType} ${command.entityId}, ${command.from} – ${command.to}: ${entities.length}`,
    ...entities.map((e) => {
      const seen = e.FirstSeenTime ? `  ${e.FirstSeenTime} – ${e.LastSeenTime}` : '';
      const sessions = e.SessionCount ? `, ${e.SessionCount} sessions` : '';
      return `  ${e.Relationship.padEnd(24)} ${e.EntityId}  ${e.CallCount} calls (${e.FailedCallCount} failed${sessions})${e.AccountId ? `  account ${e.AccountId}` : ''}${seen}`;
    }),
  ];
}
