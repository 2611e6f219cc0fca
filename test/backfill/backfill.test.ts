import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, DescribeMapRunCommand, ExecutionAlreadyExists, ListMapRunsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { BackfillUsageError, executionName, parseBackfillArgs, startBackfill, watchBackfill } from '../../bin/backfill';
import { ingestBatch } from '../../lambdas/backfill/batch';
import { dayOfKey, keyInDays } from '../../lambdas/core/cloudtrail/log-key-date';
import { productionDependencies } from '../../lambdas/ingest-cloudtrail/handler';
import { LOCAL_BUCKET, LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { BACKFILL_DEFINITION } from '../../lib/backfill';
import { actionsOf, actionsOn, arnOf, functionStatements, logicalId, resourcesOf, roleStatements, synth } from '../cdk/synth';

const ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:Trailhound-backfill';
const CORPUS = join(__dirname, '..', 'fixtures', 'corpus', 'invictus-aws-dataset');

describe('backfill days of keys', () => {
  it('takes the day from the file name, else from the folders', () => {
    expect(dayOfKey('AWSLogs/1/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1145Z_x.json.gz')).toBe('2023-07-10');
    expect(dayOfKey('copies/2023/07/11/anything.json')).toBe('2023-07-11');
    expect(keyInDays('a/111122223333_CloudTrail_us-east-1_20230710T2359Z_x.json.gz', '2023-07-10', '2023-07-10')).toBe(true);
    expect(keyInDays('a/111122223333_CloudTrail_us-east-1_20230711T0000Z_x.json.gz', '2023-07-09', '2023-07-10')).toBe(false);
    // No day: let ingestion classify it and say why it skips it.
    expect(keyInDays('notes.txt', '2023-07-09', '2023-07-10')).toBe(true);
  });
});

describe('backfill CLI', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());
  const args = ['--state-machine', ARN, '--from', '2023-07-01', '--to', '2023-07-31'];

  it('checks its arguments', () => {
    expect(parseBackfillArgs(args)).toMatchObject({ stateMachineArn: ARN, prefix: 'AWSLogs/', maxConcurrency: 10, again: false, wait: true });
    expect(() => parseBackfillArgs(['--from', '2023-07-01', '--to', '2023-07-31'])).toThrow(BackfillUsageError);
    expect(() => parseBackfillArgs([...args.slice(0, 2), '--from', '2023-07-31', '--to', '2023-07-01'])).toThrow('--from is after --to');
    expect(() => parseBackfillArgs([...args, '--max-concurrency', '0'])).toThrow('--max-concurrency');
    expect(() => parseBackfillArgs([...args.slice(0, 2), '--from', '2023-13-45', '--to', '2023-07-31'])).toThrow('YYYY-MM-DD');
  });

  it('names a run after its days and prefix, so a second start is caught unless --again', async () => {
    const options = parseBackfillArgs(args);
    expect(executionName(options)).toBe(executionName({ ...options }));
    expect(executionName({ ...options, prefix: 'other/' })).not.toBe(executionName(options));
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(startBackfill(new SFNClient({ region: 'us-east-1' }), options)).rejects.toThrow('--again');
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:run`, startDate: new Date() });
    await startBackfill(new SFNClient({ region: 'us-east-1' }), { ...options, again: true }, new Date(5));
    const input = sfn.commandCalls(StartExecutionCommand).at(-1)?.args[0].input;
    expect(input?.name).toBe(`${executionName(options)}-5`);
    expect(JSON.parse(input?.input as string)).toEqual({ prefix: 'AWSLogs/', from: '2023-07-01', to: '2023-07-31', maxConcurrency: 10 });
  });

  it('reports the Distributed Map\'s progress until the run ends', async () => {
    sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' } as never).resolves({ status: 'SUCCEEDED' } as never);
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: 'm', executionArn: 'e', stateMachineArn: ARN, startDate: new Date() }] });
    sfn.on(DescribeMapRunCommand).resolvesOnce({ itemCounts: { total: 100, succeeded: 40, failed: 0, pending: 50, running: 10 } } as never).resolves({ itemCounts: { total: 100, succeeded: 100, failed: 0, pending: 0, running: 0 } } as never);
    const lines: string[] = [];
    const last = await watchBackfill(new SFNClient({ region: 'us-east-1' }), 'e', (line) => lines.push(line), 0, async () => undefined);
    expect(last.status).toBe('SUCCEEDED');
    expect(lines).toEqual(['RUNNING: 40 of 100 listed objects processed (0 failed, 10 running)', 'SUCCEEDED: 100 of 100 listed objects processed (0 failed, 0 running)']);
  });
});

describe('backfill state machine', () => {
  it('is valid ASL: a Distributed Map over the bucket listing with a concurrency cap', () => {
    const text = readFileSync(join(__dirname, '..', '..', BACKFILL_DEFINITION), 'utf8');
    const definition = JSON.parse(text.replace(/\$\{LogBucketName\}/g, 'logs').replace(/\$\{BackfillFunctionArn\}/g, 'arn:aws:lambda:us-east-1:111122223333:function:f'));
    expect(aslValidator(definition)).toMatchObject({ isValid: true });
    const map = definition.States.IngestListedObjects;
    expect(map).toMatchObject({ ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2' }, MaxConcurrencyPath: '$.maxConcurrency', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } } });
  });

  it('may list the log bucket, run its own children and invoke its function, and nothing else', () => {
    const synthesized = synth();
    const { backfill, logSource } = synthesized.stack;
    const statements = roleStatements(synthesized.template, logicalId(backfill.stateMachine.role));
    expect(actionsOn(statements, arnOf(logicalId(logSource.bucket)))).toEqual(['s3:ListBucket']);
    const actions = statements.flatMap(actionsOf).filter((a) => !a.startsWith('logs:'));
    expect(actions.sort()).toEqual(['lambda:InvokeFunction', 's3:ListBucket', 'states:DescribeExecution', 'states:StartExecution', 'states:StopExecution']);
    // The function ingests as the ingest function does: no table beyond its two.
    const text = JSON.stringify(functionStatements(synthesized, backfill.function));
    for (const design of ['Sessions', 'Activity', 'Investigations']) expect(text).not.toContain(`Tables${design}`);
    expect(statements.flatMap(resourcesOf).length).toBeGreaterThan(0);
  });
});

describe('backfill batches on the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trailhound-backfill-'));
    stack = await LocalStack.start({ dataDir: dir, inMemory: true });
    // Logs already in the bucket before the deployment: outside the notified prefix, so nothing ingests them.
    for (const file of listLogFiles(CORPUS)) await stack.s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: `archive/${file.key}`, Body: readFileSync(file.path) }));
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests the listed objects of the days, once however often it runs', async () => {
    const listed = await stack.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_BUCKET, Prefix: 'archive/' }));
    const Items = (listed.Contents ?? []).map((o) => ({ Key: o.Key as string, ETag: o.ETag, Size: o.Size }));
    expect(stack.eventSource.pending).toBe(0);
    const first = await ingestBatch({ Items, BatchInput: { bucket: LOCAL_BUCKET, from: '2023-07-10', to: '2023-07-10' } }, productionDependencies());
    // The 55 logs of the day, and the dataset's LICENSE (no day in its key: ingestion says why it skips it).
    expect(first.counts).toEqual({ DONE: 55, SKIPPED: 1 });
    await stack.drain();
    const before = await stack.queries.activityItems('account#123837392027', '2023-07-10T00:00:00Z', '2023-07-11T00:00:00Z');
    expect(before.reduce((n, item) => n + item.total, 0)).toBe(2900);
    const again = await ingestBatch({ Items, BatchInput: { bucket: LOCAL_BUCKET, from: '2023-07-10', to: '2023-07-10' } }, productionDependencies());
    expect(again.counts).toEqual({ DUPLICATE: 55, SKIPPED: 1 });
    const outside = await ingestBatch({ Items, BatchInput: { bucket: LOCAL_BUCKET, from: '2023-07-11', to: '2023-07-12' } }, productionDependencies());
    expect(outside.counts).toEqual({ OUTSIDE_DAYS: 55, SKIPPED: 1 });
  });
});
