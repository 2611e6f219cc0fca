import type { SQSEvent } from 'aws-lambda';
import { loggedHandler, MAX_CORRELATION_ID_LENGTH, stringField } from '../../lambdas/shared/lambda-logging';
import { log, withLogContext } from '../../lambdas/shared/log';
import { processSqsRecords, batchCorrelationId } from '../../lambdas/shared/sqs-batch';
import { captureLogs, fakeContext } from './capture';

const capture = captureLogs();
afterAll(() => capture.restore());
beforeEach(() => capture.lines.splice(0));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Job {
  readonly jobId?: unknown;
  readonly fail?: boolean;
  readonly delayMs?: number;
  /** Waited for after the delay: makes two invocations interleave whatever the machine's load. */
  readonly gate?: Promise<unknown>;
}

const handler = loggedHandler<Job, string>({ name: 'jobs', correlationId: (event) => stringField(event, 'jobId') }, async (event) => {
  log.info('started');
  await sleep(event.delayMs ?? 0);
  await event.gate;
  if (event.fail === true) throw new Error('boom');
  log.info('finished', { extra: 1 });
  return 'ok';
});

describe('invocation logging middleware', () => {
  it('puts the request id, function name, cold start and correlation id on every line, cold only the first time', async () => {
    await handler({ jobId: 'job-1' }, fakeContext('req-1'));
    await handler({ jobId: 'job-2' }, fakeContext('req-2'));
    expect(capture.lines.map(({ message, awsRequestId, functionName, coldStart, correlationId }) => ({ message, awsRequestId, functionName, coldStart, correlationId }))).toEqual([
      { message: 'started', awsRequestId: 'req-1', functionName: 'Trailhound-Function', coldStart: true, correlationId: 'job-1' },
      { message: 'finished', awsRequestId: 'req-1', functionName: 'Trailhound-Function', coldStart: true, correlationId: 'job-1' },
      { message: 'started', awsRequestId: 'req-2', functionName: 'Trailhound-Function', coldStart: false, correlationId: 'job-2' },
      { message: 'finished', awsRequestId: 'req-2', functionName: 'Trailhound-Function', coldStart: false, correlationId: 'job-2' },
    ]);
    expect(capture.lines[1].extra).toBe(1);
  });

  it('keeps concurrent invocations apart (the local mode runs them in one process)', async () => {
    // The slow one starts first and finishes only after the fast one has (a gate, not a longer timer, which a
    // loaded machine may not honour in order).
    const fast = handler({ jobId: 'fast', delayMs: 1 }, fakeContext('req-fast'));
    const slow = handler({ jobId: 'slow', gate: fast }, fakeContext('req-slow'));
    await Promise.all([slow, fast]);
    const finished = capture.lines.filter((line) => line.message === 'finished');
    expect(finished.map((line) => [line.awsRequestId, line.correlationId])).toEqual([
      ['req-fast', 'fast'],
      ['req-slow', 'slow'],
    ]);
  });

  it('logs a failed invocation once, with its context and error, and still fails it', async () => {
    await expect(handler({ jobId: 'job-3', fail: true }, fakeContext('req-3'))).rejects.toThrow('boom');
    const errors = capture.lines.filter((line) => line.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ message: 'invocation failed', error: 'Error: boom', awsRequestId: 'req-3', correlationId: 'job-3' })]);
  });

  it('works without a context, as the local state machine calls stage handlers', async () => {
    await (handler as unknown as (event: Job) => Promise<string>)({ jobId: 'job-4' });
    const [line] = capture.lines;
    expect(line).toMatchObject({ functionName: 'jobs', correlationId: 'job-4' });
    expect(line.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never lets a hostile event break the invocation or bloat the lines', async () => {
    const throwing = loggedHandler<unknown, string>(
      {
        name: 'hostile',
        correlationId: () => {
          throw new Error('bad event');
        },
      },
      async () => {
        log.info('ran');
        return 'ok';
      },
    );
    await expect(throwing(null, fakeContext('req-5'))).resolves.toBe('ok');
    await handler({ jobId: 42 }, fakeContext('req-6'));
    await handler({ jobId: 'x'.repeat(10_000) }, fakeContext('req-7'));
    const ids = capture.lines.filter((line) => line.message !== 'finished').map((line) => line.correlationId);
    expect(ids).toEqual([undefined, undefined, 'x'.repeat(MAX_CORRELATION_ID_LENGTH)]);
  });

  it("never lets a line's own fields forge the invocation's", () => {
    withLogContext({ awsRequestId: 'outer' }, () => log.info('line', { awsRequestId: 'forged' }));
    expect(capture.lines[0].awsRequestId).toBe('outer');
  });
});

describe('SQS partial batch responses', () => {
  const event = (...ids: string[]): SQSEvent => ({ Records: ids.map((messageId) => ({ messageId, body: messageId }) as SQSEvent['Records'][number]) });

  it('reports only the records that threw, each logged with its message id', async () => {
    const response = await processSqsRecords(event('a', 'b', 'c'), async (record) => {
      if (record.body === 'b') throw new Error('poison');
      log.info('processed');
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(capture.lines.map((line) => [line.message, line.messageId, line.correlationId])).toEqual([
      ['processed', 'a', 'a'],
      ['message failed; it will be retried', 'b', 'b'],
      ['processed', 'c', 'c'],
    ]);
  });

  it('lets a record narrow the correlation id (the ingest function sets the object key)', async () => {
    await processSqsRecords(event('m1'), async () => withLogContext({ correlationId: 's3://logs/key' }, async () => log.info('object')));
    expect(capture.lines[0]).toMatchObject({ messageId: 'm1', correlationId: 's3://logs/key' });
  });

  it('names a batch by its message ids, and tolerates a malformed event', () => {
    expect(batchCorrelationId(event('a', 'b'))).toBe('a,b');
    expect(batchCorrelationId({} as SQSEvent)).toBeUndefined();
    expect(batchCorrelationId(null as unknown as SQSEvent)).toBeUndefined();
  });
});
