import { productionDependencies } from '../ingest-cloudtrail/handler';
import { loggedHandler } from '../shared/lambda-logging';
import { ingestBatch, type BackfillBatch, type BackfillBatchResult } from './batch';

/** Lambda entry of the backfill state machine's Distributed Map (statemachines/backfill.asl.json). */
export const handler = loggedHandler<BackfillBatch, BackfillBatchResult>(
  { name: 'backfill', correlationId: (batch) => (Array.isArray(batch?.Items) && typeof batch.Items[0]?.Key === 'string' ? batch.Items[0].Key : undefined) },
  (batch) => ingestBatch(batch, productionDependencies()),
);
