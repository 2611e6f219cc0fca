import { VolumeAccumulator, type ApiCallVolumeResponse, type VolumeRequest } from '../core/graph/volume';
import type { PageCut } from '../core/graph/group-ranking';
import { hourStartMs, hourWithin } from '../core/storage/hours';
import { mapWithConcurrency } from '../shared/concurrency';
import { callSourcesOf, mergedHours, ownEvents } from './entity-calls';
import type { TrailQueries } from './trail-queries';

const CONCURRENT_READS = 16;

/**
 * GetApiCallVolume: an entity's calls per minute, hour or day in [from, to), exact to the millisecond.
 * A whole hour of a principal's own calls, without grouping or filter, comes from its item's minute counts
 * (no event read); every other hour (cut by the scope, grouped, filtered, or narrowed to some sessions) from
 * its compact events, one ranged GET per principal-hour. An account has minute counts only (the request
 * parser keeps its scope on whole minutes and refuses grouping).
 */
/** `after`: where the previous page of groups ended (a NextToken's place in the ranking). */
export async function apiCallVolume(queries: TrailQueries, request: VolumeRequest, after?: PageCut): Promise<ApiCallVolumeResponse> {
  const from = new Date(request.fromMs).toISOString();
  const to = new Date(request.toMs).toISOString();
  const sources = await callSourcesOf(queries, request.entity, from, to);
  const hours = await mergedHours(queries, sources, from, to);
  const volume = new VolumeAccumulator(request);
  const detailed = request.groupBy !== undefined || request.filter !== undefined;
  const fromMinutes = hours.filter(({ source, item }) => item.subject.startsWith('account#') || (!source.sessions && !detailed && hourWithin(item.hour, request.fromMs, request.toMs)));
  for (const { item } of fromMinutes) volume.addMinutes(item.hour, item.minutes ?? {});
  const fromEvents = hours.filter((hour) => !fromMinutes.includes(hour));
  await mapWithConcurrency(fromEvents, CONCURRENT_READS, async ({ source, item }) => {
    const hourStart = hourStartMs(item.hour);
    const caller = item.principalArn ?? item.principalName ?? item.subject;
    for (const event of ownEvents(source, await queries.eventsOfItem(item))) volume.addCall({ event, hourStart, caller });
  });
  return volume.response(after);
}
