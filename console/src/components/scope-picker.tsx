import { useState } from 'preact/hooks';
import { fromInput, toInput, type Scope } from '../entities';

/**
 * The scope of a view, in UTC. `maxHours` fixes the window's length (the summary's 24 hours: the picker then
 * moves the window; the server refuses a start beyond the retention, shown as the panel's error).
 */
export function ScopePicker({ scope, onChange, maxHours }: { scope: Scope; onChange: (scope: Scope) => void; maxHours?: number }) {
  const [from, setFrom] = useState(toInput(scope.from));
  const [to, setTo] = useState(toInput(scope.to));
  const [problem, setProblem] = useState('');
  const apply = (event: Event) => {
    event.preventDefault();
    const start = fromInput(from);
    const end = maxHours ? start && new Date(Date.parse(start) + maxHours * 3_600_000).toISOString() : fromInput(to);
    if (!start || !end || Date.parse(end) <= Date.parse(start)) return setProblem('The scope needs a start before its end.');
    if (Date.parse(start) > Date.now()) return setProblem('The scope cannot start in the future.');
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
    <form class="bar" onSubmit={apply} aria-label="Scope">
      <label>
        Start (UTC)
        <input type="datetime-local" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} name="from" />
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
          <button type="button" onClick={() => shift(-maxHours)}>
            ◀ Previous
          </button>
          <button type="button" onClick={() => shift(maxHours)} disabled={Date.parse(scope.to) >= Date.now()}>
            Next ▶
          </button>
        </>
      ) : null}
      {problem ? (
        <span class="state error" role="alert">
          {problem}
        </span>
      ) : null}
    </form>
  );
}
