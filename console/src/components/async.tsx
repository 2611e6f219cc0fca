import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** A request's three states, so that every panel shows loading, empty and error the same way. */
export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ok'; data: T };

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    load().then(
      (data) => current && setLoaded({ state: 'ok', data }),
      (error: unknown) => current && setLoaded({ state: 'error', message: errorText(error) }),
    );
    return () => {
      current = false;
    };
    // The caller names what the load depends on (the load function itself is new on every render).
  }, deps);
  return loaded;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${(error as { type?: string }).type ?? error.name}: ${error.message}`;
  return String(error);
}

interface ShowProps<T> {
  loaded: Loaded<T>;
  /** What to say when the answer holds nothing; without it, an answer is never empty. */
  empty?: (data: T) => string | false;
  children: (data: T) => ComponentChildren;
}

export function Show<T>({ loaded, empty, children }: ShowProps<T>) {
  if (loaded.state === 'loading') return <p class="state" role="status" aria-live="polite">Loading…</p>;
  if (loaded.state === 'error') return <p class="state error" role="alert">{loaded.message}</p>;
  const emptyText = empty?.(loaded.data);
  if (emptyText) return <p class="state empty">{emptyText}</p>;
  return <>{children(loaded.data)}</>;
}

export function Panel({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="panel" aria-label={title} id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
