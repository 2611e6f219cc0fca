import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Fails reads that scan: every route must read with Query or GetItem on keys. Installs a middleware on a
 * client (the document client shares its stack with the client it wraps) that records each Scan it sends;
 * tests assert the list is empty.
 */
export function recordScans(client: DynamoDBDocumentClient): string[] {
  const scans: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ScanCommand') scans.push(String((args.input as { TableName?: string }).TableName));
      return next(args);
    },
    { step: 'initialize', name: 'trailhoundRecordScans', override: true },
  );
  return scans;
}
