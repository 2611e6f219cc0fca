/**
 * Case-insensitive wildcard matching for entity search: `*` is any run of characters (none included), `?` is
 * exactly one. No regular expression is built from the query (a query is user input, and a regex from it could
 * backtrack exponentially); the matcher is the classic two-pointer walk with one saved star, whose work is at
 * most pattern length × value length, and both are capped (MAX_QUERY_LENGTH; stored values are capped at
 * ingestion, e.g. user agents at 512 bytes).
 */
export const MAX_QUERY_LENGTH = 512;

export type Matcher = (value: string) => boolean;

/** Code points, so that `?` matches one character even outside the BMP. */
function chars(text: string): string[] {
  return Array.from(text.toLowerCase());
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export function globMatcher(pattern: string): Matcher {
  // Runs of `*` are one `*`: fewer restarts, same language.
  const p = chars(pattern.replace(/\*+/g, '*'));
  return (value: string): boolean => {
    const v = chars(value);
    let pi = 0;
    let vi = 0;
    let star = -1;
    let resume = 0;
    while (vi < v.length) {
      if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === v[vi]))) {
        pi++;
        vi++;
      } else if (pi < p.length && p[pi] === '*') {
        star = pi++;
        resume = vi;
      } else if (star >= 0) {
        // Let the last star swallow one more character and retry from there.
        pi = star + 1;
        vi = ++resume;
      } else {
        return false;
      }
    }
    while (pi < p.length && p[pi] === '*') pi++;
    return pi === p.length;
  };
}
