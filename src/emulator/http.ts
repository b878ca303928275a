import type { IncomingHttpHeaders } from 'node:http';

/** A request as the emulator's handlers see it: already parsed, independent of node:http (so $batch can replay it). */
export interface EmuRequest {
  method: string;
  /** Path without query string, e.g. `/v1.0/applications`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON (Graph) or form fields (token endpoint); undefined when there is no body. */
  body: unknown;
  rawBody: string;
  /** True for a sub-request replayed from a `$batch` payload. */
  inBatch?: boolean;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialisable body; undefined means no body (204). */
  body?: unknown;
  /** A body sent as is (the sign-in pages' HTML); wins over `body`. */
  text?: string;
  /** For the request log only (never sent): the AADSTS code of an error shown on a page or sent to a redirect URI. */
  errorCode?: string;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): EmuResponse => ({
  status,
  headers: { 'Content-Type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8', ...headers },
  body,
});

export const noContent = (headers: Record<string, string> = {}): EmuResponse => ({ status: 204, headers });

/** A server-rendered page (the sign-in pages of the authorize endpoint). Never cached, never framed by another origin. */
export const html = (status: number, page: string, headers: Record<string, string> = {}): EmuResponse => ({
  status,
  headers: {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store, no-cache',
    Pragma: 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    ...headers,
  },
  text: page,
});
