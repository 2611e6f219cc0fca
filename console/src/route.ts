import { useEffect, useState } from 'preact/hooks';

/**
 * Deep links: the page and its whole state (entity, scope, filters, drill-down) live in the URL's hash,
 * `#/<page>?<params>`, so any view can be bookmarked or shared and reloads as it was. The hash keeps the
 * server simple: it serves one page, whatever the view.
 */
export type Params = Record<string, string>;
export interface Route {
  page: string;
  params: Params;
}

export function parseHash(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  return { page: path || 'summary', params: Object.fromEntries(new URLSearchParams(query)) };
}

export function href(page: string, params: Params = {}): string {
  const defined = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  const query = new URLSearchParams(defined).toString();
  return `#/${page}${query ? `?${query}` : ''}`;
}

export function navigate(page: string, params: Params = {}): void {
  location.hash = href(page, params);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
