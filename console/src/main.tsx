import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { EntityPage } from './pages/entity';
import { FindingsPage } from './pages/findings';
import { InvestigationsPage } from './pages/investigations';
import { ReportPage } from './pages/report';
import { SearchPage } from './pages/search';
import { SummaryPage } from './pages/summary';
import { href, useRoute, type Params } from './route';

/**
 * The Trailhound console: Detective's pages on Trailhound's API. One page per hash route; a new page is one
 * entry in PAGES (and, to be in the menu, in NAV). Every string from the logs is rendered by Preact as text.
 */
const PAGES: Record<string, (props: { params: Params }) => preact.JSX.Element> = {
  summary: SummaryPage,
  search: SearchPage,
  entity: EntityPage,
  investigations: InvestigationsPage,
  investigation: ReportPage,
  findings: FindingsPage,
};

const NAV = [
  ['summary', 'Summary'],
  ['search', 'Search'],
  ['investigations', 'Investigations'],
  ['findings', 'Findings'],
] as const;

/**
 * The drawing libraries each page uses, fetched as the page opens, beside its API calls: a chart or graph
 * then draws as soon as its data arrives, instead of asking for its chunk only then (the import is the same
 * module, loaded once).
 */
const charts = () => import('./components/echarts-setup');
const graphs = () => import('cytoscape');
function chunksOf(page: string, params: Params): (() => Promise<unknown>)[] {
  if (page === 'summary') return [charts];
  // Only principals and sessions draw a role chain (chainOf).
  if (page === 'entity') return ['IAM_ROLE', 'IAM_USER', 'FEDERATED_USER', 'ROLE_SESSION'].includes(params.type ?? '') ? [charts, graphs] : [charts];
  return [];
}

const TITLES: Record<string, string> = { summary: 'Summary', search: 'Search', entity: 'Profile', investigations: 'Investigations', investigation: 'Investigation', findings: 'GuardDuty findings' };

function App() {
  const { page, params } = useRoute();
  const Page = PAGES[page];
  useEffect(() => {
    // A chunk that fails here fails again where it is drawn, which says so on the page.
    for (const load of chunksOf(page, params)) load().catch(() => undefined);
  }, [page, params.type]);
  useEffect(() => {
    document.title = `${TITLES[page] ?? 'Not found'} · Trailhound`;
    // Focus moves to the new page's heading, so keyboard and screen-reader users land on it.
    document.querySelector<HTMLElement>('main')?.focus();
  }, [page, JSON.stringify(params)]);
  const current = page === 'entity' ? 'search' : page === 'investigation' ? 'investigations' : page;
  // The scope follows the analyst from page to page.
  const scope: Params = params.from && params.to ? { from: params.from, to: params.to } : {};
  return (
    <>
      <header class="top">
        <span class="brand">Trailhound</span>
        <nav aria-label="Pages">
          {NAV.map(([name, label]) => (
            <a key={name} href={href(name, name === 'investigations' || name === 'findings' ? {} : scope)} aria-current={current === name ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main tabIndex={-1} data-page={page}>
        {Page ? <Page params={params} /> : <p class="state error">No page here. Choose one above.</p>}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
