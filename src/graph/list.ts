import { TenantformError } from '../errors.js';
import { graphFailure } from './failure.js';
import type { GraphResponse, GraphSender } from './transport.js';

/** A list response and its further pages, followed one by one (more than 100 pages is refused, not truncated). */
export async function listAll<T>(
  transport: GraphSender,
  first: GraphResponse,
  action: string,
  needs: readonly string[] = ['Application.Read.All'],
): Promise<T[]> {
  const ok = (res: GraphResponse) => {
    if (res.status >= 200 && res.status < 300) return res.body as { value?: T[]; '@odata.nextLink'?: string };
    throw graphFailure(res, { action, needs });
  };
  let body = ok(first);
  const out = [...(body.value ?? [])];
  for (let pages = 0; body['@odata.nextLink']; pages++) {
    if (pages > 100) throw new TenantformError('GRAPH_ERROR', `Cannot ${action}: more than 100 pages of results.`);
    body = ok(await transport.send({ method: 'GET', path: body['@odata.nextLink'] }));
    out.push(...(body.value ?? []));
  }
  return out;
}
