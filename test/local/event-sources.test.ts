import { COMPACTION_EVENT_SOURCE, INGEST_EVENT_SOURCE } from '../../local/local-stack';
import { logicalId, synth } from '../cdk/synth';

/** The local event sources hand the handlers batches of the size the deployed event source mappings do. */
describe('local event sources', () => {
  it('use the batch sizes and the ingest queue redrive of the deployed stack', () => {
    const synthesized = synth();
    const resources = synthesized.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    const mappingOf = (queue: Parameters<typeof logicalId>[0]) =>
      Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties.EventSourceArn).includes(`"${logicalId(queue)}"`));
    expect(mappingOf(synthesized.stack.logSource.queue)?.Properties.BatchSize).toBe(INGEST_EVENT_SOURCE.batchSize);
    expect(mappingOf(synthesized.stack.activityStore.queue)?.Properties.BatchSize).toBe(COMPACTION_EVENT_SOURCE.batchSize);
    expect(resources[logicalId(synthesized.stack.logSource.queue)].Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: INGEST_EVENT_SOURCE.maxReceiveCount });
  });
});
