import type { Principal } from '../cloudtrail/principal';
import type { SessionView } from './session-view';

/**
 * Role chains: a session created with another session's credentials points to it (parentSessionId).
 * The chain is resolved at query time rather than at ingest, because the parent's creating event may be
 * ingested later (another file, another day, another account's trail): reads always see the latest facts.
 */
export interface SessionSource {
  /** The session a chained session was created from, when it is known. */
  parentOf(session: SessionView): Promise<SessionView | undefined>;
  /** Sessions created with the credentials of `session`. */
  children(session: SessionView): Promise<SessionView[]>;
}

export interface RootResolution {
  /** The principal at the root of the chain, when known. */
  root?: Principal;
  /** Ancestors, nearest first (the session itself excluded). */
  ancestors: SessionView[];
  /** True when the chain reaches a session whose creation (hence caller) is unknown. */
  unresolved: boolean;
  /** The first session of the chain that could not be followed further. */
  unresolvedAt?: string;
}

export const MAX_CHAIN_DEPTH = 20;

export async function resolveRoot(session: SessionView, source: SessionSource): Promise<RootResolution> {
  const ancestors: SessionView[] = [];
  const visited = new Set([session.sessionId]);
  let current = session;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    if (current.origin && !current.parentSessionId) return { root: current.origin, ancestors, unresolved: false };
    const parentId = current.parentSessionId;
    if (!parentId) return { ancestors, unresolved: true, unresolvedAt: current.sessionId };
    if (visited.has(parentId)) return { ancestors, unresolved: true, unresolvedAt: parentId };
    visited.add(parentId);
    const parent = await source.parentOf(current);
    if (!parent) return { ancestors, unresolved: true, unresolvedAt: parentId };
    ancestors.push(parent);
    current = parent;
  }
  return { ancestors, unresolved: true, unresolvedAt: current.sessionId };
}

export interface ChainNode {
  session: SessionView;
  children: ChainNode[];
}

/** Sessions whose children are read at once while walking a chain down. */
const CONCURRENT_CHILD_READS = 8;

/** The sessions created from `session`, recursively, breadth first, bounded in depth and size. */
export async function descendantsOf(session: SessionView, source: SessionSource, maxNodes = 500): Promise<ChainNode> {
  const root: ChainNode = { session, children: [] };
  const visited = new Set([session.sessionId]);
  let frontier = [root];
  let count = 1;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH && frontier.length > 0 && count < maxNodes; depth++) {
    const next: ChainNode[] = [];
    // The children of a level's sessions are read a few at a time (one Query each), then taken in order.
    for (let first = 0; first < frontier.length; first += CONCURRENT_CHILD_READS) {
      const nodes = frontier.slice(first, first + CONCURRENT_CHILD_READS);
      const childLists = await Promise.all(nodes.map((node) => source.children(node.session)));
      nodes.forEach((node, i) => {
        for (const child of childLists[i]) {
          if (visited.has(child.sessionId) || count >= maxNodes) continue;
          visited.add(child.sessionId);
          const childNode = { session: child, children: [] };
          node.children.push(childNode);
          next.push(childNode);
          count++;
        }
      });
    }
    frontier = next;
  }
  return root;
}

/** Flattens a chain tree, parents before children. */
export function flattenChain(node: ChainNode): SessionView[] {
  return [node.session, ...node.children.flatMap(flattenChain)];
}
