import type { Org } from './org';
import type { Prng } from './prng';
import type { Session } from './sts';
import type { Timeline } from './timeline';
import { isoSeconds } from './time';

/**
 * Three weeks of quiet, mostly read-only activity: people at work on weekdays, machines around the clock.
 * Each actor draws from its own PRNG stream per day, so the days are independent of each other.
 */

export interface ScenarioContext {
  org: Org;
  timeline: Timeline;
  seed: Prng;
  /** Instance-profile sessions per instance id, in creation order: the incident replays one of them. */
  instanceSessions: Map<string, Session[]>;
}

/** The PRNG stream of one actor on one day. */
export function dayStream(ctx: ScenarioContext, actor: string, day: number): Prng {
  return ctx.seed.fork(`${actor}/${isoSeconds(day).slice(0, 10)}`);
}
