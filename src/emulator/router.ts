import type { GraphRoute } from './context.js';
import { graphErrors } from './errors.js';

export interface RouteMatch {
  route: GraphRoute;
  params: Record<string, string>;
}

/**
 * Split a Graph path (version and `/myorganization` already removed) into segments, turning an OData key
 * `applications(appId='x')` into two segments `applications`, `(appId='x')` so one pattern
 * `applications/:app` serves `/{id}` and every alternate key.
 */
export function splitGraphPath(path: string): string[] {
  const out: string[] = [];
  for (const raw of path.split('/').filter(Boolean)) {
    const seg = safeDecode(raw);
    const m = /^([^()]+)(\(.*\))$/.exec(seg);
    if (m) out.push(m[1], m[2]);
    else out.push(seg);
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class GraphRouter {
  private readonly compiled: Array<{ route: GraphRoute; parts: string[] }>;
  constructor(routes: GraphRoute[]) {
    // Literal segments win over parameters (`deletedItems/microsoft.graph.application` before `deletedItems/:id`).
    this.compiled = routes.map((route) => ({ route, parts: route.pattern.split('/') })).sort((a, b) => literalScore(b.parts) - literalScore(a.parts));
  }

  match(method: string, segments: string[]): RouteMatch {
    let pathMatched = false;
    for (const { route, parts } of this.compiled) {
      const params = matchParts(parts, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method) return { route, params };
    }
    if (pathMatched) throw graphErrors.methodNotAllowed();
    throw graphErrors.notImplemented(`${method} /${segments.join('/')}`);
  }
}

function literalScore(parts: string[]): number {
  return parts.reduce((n, p, i) => n + (p.startsWith(':') ? 0 : 1 / (i + 1)), 0);
}

function matchParts(parts: string[], segments: string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.startsWith(':')) params[p.slice(1)] = segments[i];
    else if (p.toLowerCase() !== segments[i].toLowerCase()) return undefined;
  }
  return params;
}

/** An entity key segment: `{guid}`, `(appId='…')`, `(uniqueName='…')`, `('{guid}')`. */
export type EntityKey = { kind: 'id'; value: string } | { kind: 'alternate'; property: string; value: string };

export function parseKey(segment: string): EntityKey {
  const alt = /^\(\s*([A-Za-z]+)\s*=\s*'((?:[^']|'')*)'\s*\)$/.exec(segment);
  if (alt) return { kind: 'alternate', property: alt[1], value: alt[2].replace(/''/g, "'") };
  const quoted = /^\(\s*'((?:[^']|'')*)'\s*\)$/.exec(segment);
  if (quoted) return { kind: 'id', value: quoted[1] };
  return { kind: 'id', value: segment };
}
