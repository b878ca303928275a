import { TenantformError } from '../errors.js';
import { graphFailure } from './failure.js';
import type { GraphResponse } from './transport.js';

/** How the readers take one answer apart (reader.ts re-exports these for the other readers). */

export function expectOk(res: GraphResponse, action: string, needs: string[]): unknown {
  if (res.status >= 200 && res.status < 300) return res.body;
  throw graphFailure(res, { action, needs });
}

export function listOf<T>(res: GraphResponse, action: string): T[] {
  if (res.status === 404) return [];
  const body = expectOk(res, action, ['Application.Read.All']) as { value?: T[]; '@odata.nextLink'?: string };
  if (body['@odata.nextLink']) {
    // More than one page (100+ items on one app) is not expected for app registrations; say so rather than drop data.
    throw new TenantformError('GRAPH_ERROR', `Cannot ${action}: more than one page of results is not supported yet.`);
  }
  return body.value ?? [];
}

/**
 * An object read with `$expand=<navigation>`, taken apart: the object as a plain read returns it (the navigation and
 * its `<navigation>@…` annotations removed), and the expanded list — undefined when the answer carries none (a
 * service that ignored the $expand).
 */
export function splitExpanded<T, R>(body: T, navigation: string): { entity: T; expanded?: R[] } {
  const entity: Record<string, unknown> = {};
  const all = body as Record<string, unknown>;
  for (const [k, v] of Object.entries(all)) if (k !== navigation && !k.startsWith(`${navigation}@`)) entity[k] = v;
  const list = all[navigation];
  return { entity: entity as T, expanded: Array.isArray(list) ? (list as R[]) : undefined };
}
