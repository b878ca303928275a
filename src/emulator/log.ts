import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** One line of the request log. Only property names of bodies are kept, never values (secrets!). */
export interface RequestLogEntry {
  time: string;
  service: 'graph' | 'login';
  method: string;
  path: string;
  status: number;
  durationMs: number;
  bodyKeys: string[];
  /** Set on the sub-requests of a `$batch` (path without version); each is logged as it completes, before its envelope's line. */
  batch?: boolean;
  /** The Graph or AADSTS error code, when the request failed. */
  errorCode?: string;
}

/** In-memory request log, also appended as JSON lines to a file (TENANTFORM_EMULATOR_LOG) when configured. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  constructor(private readonly file?: string) {
    // Fail at start-up, not on the first request, when the log's folder cannot be created.
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }

  /** Entries since a mark (an index taken with `mark()`), e.g. to count the writes of one apply. */
  since(mark: number): RequestLogEntry[] {
    return this.entries.slice(mark);
  }

  mark(): number {
    return this.entries.length;
  }
}

/** Top-level property (or form field) names of a body. */
export function bodyKeys(body: unknown): string[] {
  return body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).sort() : [];
}

/** Graph writes in a slice of the log: non-GET Graph requests, counting $batch items rather than envelopes. */
export function graphWrites(entries: RequestLogEntry[]): RequestLogEntry[] {
  return entries.filter((e) => e.service === 'graph' && e.method !== 'GET' && !e.path.endsWith('/$batch'));
}
