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
