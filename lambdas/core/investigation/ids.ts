import { randomInt } from 'node:crypto';

/**
 * Investigation ids in Detective's format (a 21-digit numeric string): 13 digits of creation epoch
 * milliseconds then 8 random digits. They sort by creation time, and collisions (same millisecond and same
 * 1-in-10^8 draw) are caught by the store's conditional put anyway.
 */
export const INVESTIGATION_ID_PATTERN = /^[0-9]{21}$/;

export function newInvestigationId(nowMillis: number, random: () => number = () => randomInt(100_000_000)): string {
  const millis = String(Math.trunc(nowMillis)).padStart(13, '0');
  if (millis.length !== 13) throw new Error(`cannot build an investigation id for time ${nowMillis}`);
  return `${millis}${String(random()).padStart(8, '0')}`;
}
