import type { Emulator } from '../../src/emulator/index.js';
import { graphToken, rawFetch } from './emulator.js';

export interface RawBatchItem {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: { error?: { code: string; message: string }; [k: string]: unknown };
}

/** POST a hand-built `$batch` payload with raw fetch (for envelope errors the SDK refuses to build). */
export async function postBatch(
  emu: Emulator,
  payload: unknown,
  token?: string,
): Promise<{ status: number; headers: Headers; body: { responses?: RawBatchItem[]; error?: { code: string; message: string } } }> {
  const res = await rawFetch(emu, '/v1.0/$batch', {
    method: 'POST',
    token: token ?? (await graphToken(emu)),
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as never };
}

/** The response item with this id, failing loudly when it is missing. */
export function item(responses: RawBatchItem[] | undefined, id: string): RawBatchItem {
  const found = responses?.find((r) => r.id === id);
  if (!found) throw new Error(`no batch response with id ${id}: ${JSON.stringify(responses)}`);
  return found;
}
