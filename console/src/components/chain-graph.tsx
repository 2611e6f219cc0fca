import { useEffect, useRef, useState } from 'preact/hooks';
import type { Core } from 'cytoscape';

/**
 * The role-chain graph, drawn by Cytoscape.js: root principal → role sessions → roles, across accounts. Labels
 * are painted on Cytoscape's canvas as plain text (it has no HTML labels without an extension), so a hostile
 * name cannot become markup. Tapping a node, or choosing it in the list beside the graph (keyboard), opens
 * its profile. Cytoscape is loaded on first use, as a chunk of its own.
 */
export interface ChainNode {
  id: string;
  label: string;
  kind: 'principal' | 'session' | 'role';
  /** The URL hash of the node's profile. */
  href?: string;
}
export interface ChainEdge {
  from: string;
  to: string;
}

const COLORS: Record<ChainNode['kind'], string> = { principal: '#232f3e', session: '#0972d3', role: '#ff9900' };

export function ChainGraph({ nodes, edges }: { nodes: ChainNode[]; edges: ChainEdge[] }) {
  const element = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | string>('loading');
  useEffect(() => {
    let graph: Core | undefined;
    let gone = false;
    const container = element.current;
    const refreshPosition = () => graph?.resize();
    import('cytoscape').then(
      ({ default: cytoscape }) => {
        // The page may have moved on while the chunk loaded (a fast click or key on a loaded machine).
        if (gone || !element.current) return;
        const known = new Set(nodes.map((n) => n.id));
        graph = cytoscape({
          container: element.current,
          elements: [
            ...nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind, href: n.href ?? '' } })),
            ...edges.filter((e) => known.has(e.from) && known.has(e.to)).map((e, i) => ({ data: { id: `e${i}`, source: e.from, target: e.to } })),
          ],
          style: [
            {
              selector: 'node',
              style: { label: 'data(label)', 'font-size': 10, 'text-wrap': 'ellipsis', 'text-max-width': '160px', 'text-valign': 'bottom', 'text-margin-y': 4, width: 18, height: 18 },
            },
            ...Object.entries(COLORS).map(([kind, color]) => ({ selector: `node[kind = "${kind}"]`, style: { 'background-color': color } })),
            { selector: 'edge', style: { width: 1.5, 'line-color': '#879596', 'target-arrow-color': '#879596', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } },
          ],
          layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.1, padding: 12 },
        });
        graph.on('tap', 'node', (event) => {
          const target = String(event.target.data('href'));
          // After Cytoscape has finished with this event: the navigation destroys the graph.
          if (target) setTimeout(() => (location.hash = target), 0);
        });
        // Cytoscape caches where its container is on the page and refreshes that only on scroll, resize and
        // transitions. Panels above the graph that finish loading after it (and this component's own "Loading
        // graph…" line) move it without any of those, and a click would then miss the node under the pointer.
        element.current.addEventListener('pointerdown', refreshPosition, { capture: true });
        // For the browser tests, which click a node where Cytoscape drew it.
        (element.current as HTMLDivElement & { cy?: Core }).cy = graph;
        setState('ready');
      },
      (error: unknown) => setState(`The graph could not load: ${String(error)}`),
    );
    return () => {
      gone = true;
      container?.removeEventListener('pointerdown', refreshPosition, { capture: true });
      graph?.destroy();
    };
  }, [nodes, edges]);
  return (
    <div>
      {state === 'loading' ? (
        <p class="state" role="status">
          Loading graph…
        </p>
      ) : state !== 'ready' ? (
        <p class="state error">{state}</p>
      ) : null}
      <div ref={element} class="cy" role="img" aria-label="Role-chain graph" data-testid="chain-graph" />
      <ul class="muted" aria-label="Nodes of the role-chain graph">
        {nodes.map((n) => (
          <li key={n.id}>
            {n.kind}: {n.href ? <a href={n.href}>{n.label}</a> : n.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
