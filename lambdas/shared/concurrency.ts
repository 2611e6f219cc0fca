/**
 * Maps over values with at most `limit` calls in flight: fan-out reads (one Query per session) stay within
 * the SDK's socket pool and the table's capacity however many values there are. Results keep input order.
 */
export async function mapWithConcurrency<T, R>(values: readonly T[], limit: number, fn: (value: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(values.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < values.length) {
      const index = next++;
      results[index] = await fn(values[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, values.length) }, worker));
  return results;
}
