import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import type { MiddlewareStack } from '@smithy/types';
import { dynamoDocumentClient, s3 } from '../lambdas/adapters/aws-clients';
import { startApiServer } from '../local/http/server';
import { LocalInvestigationRunner, loadStageHandlers } from '../local/investigation-runner';
import { LocalStack } from '../local/local-stack';
import { consoleBenchFiles, jsonPoster, lastDayOf } from './console-data';

/**
 * `npx tsx bench/summary-reads.ts [--logs DIR | --synthetic RECORDS]`: the SDK calls and time of the console's
 * first API calls (getSummary for the last 24 hours of the data, searchEntities, getEntityProfile of the
 * summary's top user or role), counted with a middleware on the handlers' own DynamoDB and S3 clients, as
 * bench/local-pipeline.ts does. What grows with the organization's volume shows here, call by call.
 * SUMMARY_READS_BY_KEY=1 splits Queries by kind of key (`index#`, `role#`, `parent#`…); SUMMARY_CPU_PROF=FILE
 * writes a V8 CPU profile of one getSummary request.
 */
const HOUR = 3_600_000;
const calls = new Map<string, number>();

function countCommands(stack: MiddlewareStack<object, object>, label: string): void {
  stack.add(
    (next, context) => async (args) => {
      const values = (args as { input?: { ExpressionAttributeValues?: Record<string, unknown> } }).input?.ExpressionAttributeValues ?? {};
      const partition = String(values[':s'] ?? values[':pk'] ?? '');
      // The kind of key read (index#, account#, role#, user, session packs…), not the key itself.
      const kind = process.env.SUMMARY_READS_BY_KEY ? ` ${partition.replace(/#.*/, '#')}` : '';
      const key = `${label} ${(context as { commandName?: string }).commandName ?? '?'}${kind}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchSummaryReadsCounter', override: true },
  );
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.LOG_LEVEL ??= 'silent';
  const { values } = parseArgs({ options: { logs: { type: 'string' }, synthetic: { type: 'string' } } });
  const { files, label } = consoleBenchFiles(values);
  const dataDir = mkdtempSync(join(tmpdir(), 'trailhound-summary-reads-'));
  const stack = await LocalStack.start({ dataDir, inMemory: true });
  try {
    const started = Date.now();
    await stack.upload(files);
    await stack.drain();
    console.log(`ingested ${files.length} files (${label}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    countCommands(dynamoDocumentClient().middlewareStack as never, 'DynamoDB');
    countCommands(s3().middlewareStack as never, 'S3');
    const runner = new LocalInvestigationRunner(await loadStageHandlers(), { retryIntervalMs: 10 });
    const api = await startApiServer({ port: 0, runner });
    const post = jsonPoster(api.url);
    const { from, to } = lastDayOf(files);
    const measure = async <T>(name: string, path: string, body: object): Promise<T> => {
      calls.clear();
      const t0 = performance.now();
      const cpu = process.cpuUsage();
      const answer = await post<T>(path, body);
      const ms = performance.now() - t0;
      const used = process.cpuUsage(cpu);
      const total = [...calls.values()].reduce((a, b) => a + b, 0);
      // CPU of this process (API handlers, embedded DynamoDB and S3, the SDK): on a loaded machine, steadier than wall time.
      console.log(`${name}: ${ms.toFixed(0)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0)} ms), ${total} SDK calls: ${[...calls].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`);
      return answer;
    };
    const summary = await measure<{ TopUsers: { PrincipalArn?: string }[]; TopRoles: { PrincipalArn?: string }[] }>('getSummary', '/graph/getSummary', { ScopeStartTime: from, ScopeEndTime: to });
    if (process.env.SUMMARY_CPU_PROF) {
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      await measure('getSummary profiled', '/graph/getSummary', { ScopeStartTime: from, ScopeEndTime: to });
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(process.env.SUMMARY_CPU_PROF, JSON.stringify(profile));
    }
    await measure('getSummary again', '/graph/getSummary', { ScopeStartTime: from, ScopeEndTime: to });
    await measure('searchEntities', '/graph/searchEntities', { EntityType: 'IAM_ROLE', Query: '*', ScopeStartTime: from, ScopeEndTime: to, MaxResults: 100 });
    const principal = summary.TopUsers.find((u) => u.PrincipalArn)?.PrincipalArn ?? summary.TopRoles.find((r) => r.PrincipalArn)?.PrincipalArn;
    if (principal) {
      const type = principal.includes(':user/') ? 'IAM_USER' : 'IAM_ROLE';
      const scope = { ScopeStartTime: new Date(Date.parse(to) - 2 * HOUR).toISOString(), ScopeEndTime: to };
      await measure(`getEntityProfile ${principal}`, '/graph/getEntityProfile', { EntityType: type, EntityId: principal, ...scope });
      const role = summary.TopRoles.find((r) => r.PrincipalArn)?.PrincipalArn;
      if (role && role !== principal) await measure(`getEntityProfile ${role}`, '/graph/getEntityProfile', { EntityType: 'IAM_ROLE', EntityId: role, ...scope });
    }
    await api.close();
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
