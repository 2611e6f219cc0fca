import { useState } from 'preact/hooks';
import { fromInput, toInput, utc, type Scope } from '../entities';
import { earliestStart, settings } from '../settings';
import { useLoad } from './async';

/**
 * The scope of a view, in UTC. `maxHours` fixes the window's length (the summary's 24 hours: the picker then
 * moves the window). With `withinRetention`, the picker asks the API's retention first (getSettings) and
 * offers no start before it: the input's minimum, Previous disabled, Apply refused with the reason. Should
 * that request fail, the picker still works and the server's own 400 says when a start is too old.
 */
export function ScopePicker({ scope, onChange, maxHours, withinRetention }: { scope: Scope; onChange: (scope: Scope) => void; maxHours?: number; withinRetention?: boolean }) {
  const [from, setFrom] = useState(toInput(scope.from));
  const [to, setTo] = useState(toInput(scope.to));
  const [problem, setProblem] = useState('');
  const loaded = useLoad(() => (withinRetention ? settings() : Promise.resolve(undefined)), [withinRetention]);
  const retention = loaded.state === 'ok' && loaded.data ? { days: loaded.data.RetentionDays, earliest: earliestStart(loaded.data) } : undefined;
  const tooOld = (start: string) => retention !== undefined && Date.parse(start) < retention.earliest;
  const apply = (event: Event) => {
    event.preventDefault();
    const start = fromInput(from);
    const end = maxHours ? start && new Date(Date.parse(start) + maxHours * 3_600_000).toISOString() : fromInput(to);
    if (!start || !end || Date.parse(end) <= Date.parse(start)) return setProblem('The scope needs a start before its end.');
    if (Date.parse(start) > Date.now()) return setProblem('The scope cannot start in the future.');
    if (retention && tooOld(start)) return setProblem(`Data is kept ${retention.days} days: the scope cannot start before ${utc(new Date(retention.earliest).toISOString())}.`);
    setProblem('');
    onChange({ from: start, to: end });
  };
  const shift = (hours: number) => {
    const start = new Date(Date.parse(scope.from) + hours * 3_600_000).toISOString();
    const end = new Date(Date.parse(scope.to) + hours * 3_600_000).toISOString();
    setFrom(toInput(start));
    setTo(toInput(end));
    onChange({ from: start, to: end });
  };
  return (
    // noValidate: the picker says itself why a start is refused (the browser's own bubble would block the submit silently for assistive tools).
    <form class="bar" onSubmit={apply} aria-label="Scope" noValidate>
      <label>
        Start (UTC)
        <input type="datetime-local" value={from} min={retention ? toInput(new Date(retention.earliest).toISOString()) : undefined} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} name="from" />
      </label>
      {maxHours ? (
        <span class="muted">{maxHours}-hour window</span>
      ) : (
        <label>
          End (UTC)
          <input type="datetime-local" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} name="to" />
        </label>
      )}
      <button type="submit">Apply</button>
      {maxHours ? (
        <>
          <button type="button" onClick={() => shift(-maxHours)} disabled={tooOld(new Date(Date.parse(scope.from) - maxHours * 3_600_000).toISOString())}>
            ◀ Previous
          </button>
          <button type="button" onClick={() => shift(maxHours)} disabled={Date.parse(scope.to) >= Date.now()}>
            Next ▶
          </button>
        </>
      ) : null}
      {retention ? (
        <span class="muted" data-testid="retention">
          Data kept {retention.days} days (from {utc(new Date(retention.earliest).toISOString())})
        </span>
      ) : null}
      {problem ? (
        <span class="state error" role="alert">
          {problem}
        </span>
      ) : null}
    </form>
  );
}
