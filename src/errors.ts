/**
 * The one error family of tenantform. Every failure a user can cause or meet carries a stable `code`,
 * a message that says what happened and what to do next, and structured `meta`. Anything else thrown
 * is an internal bug and is reported as such (see `isInternal`).
 */
export type ErrorCode =
  | 'VALIDATION_FAILED' // manifests have problems (meta.problems)
  | 'MANIFEST_NOT_FOUND'
  | 'GRAPH_ERROR' // Graph answered an error we do not retry (meta.status, meta.graphCode)
  | 'GRAPH_PERMISSION' // the acting identity lacks a Graph permission
  | 'AUTH_FAILED' // could not get a token for Graph (the authority answered, and refused)
  | 'NETWORK_ERROR' // Graph or the authority could not be reached: DNS, refused, timeout (meta.host, meta.service, meta.cause, meta.errno)
  | 'TLS_ERROR' // the TLS handshake failed: which certificate problem in meta.cause (self-signed, unknown CA, hostname mismatch, expired)
  | 'RESOLVE_FAILED' // a name in a manifest could not be resolved against the tenant
  | 'CONFLICT' // the tenant holds an object we may not touch (ownership)
  | 'SOFT_DELETED' // a soft-deleted object of the stack holds a name it needs: restore or purge it (meta.uniqueName, meta.deletedId)
  | 'TIMEOUT' // waited for eventual consistency longer than the deadline
  | 'CONFIRMATION_REQUIRED' // would write without a TTY and without --yes
  | 'LICENSE_REQUIRED' // the tenant lacks a license a feature needs (conditional access: Entra ID P1)
  | 'OUTPUT_FAILED'
  | 'INTERRUPTED' // the user stopped the run (Ctrl-C); meta says what was done
  | 'USAGE'; // a flag or option the command cannot use (meta.flag names it)

/** A source position in a manifest, 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** `file:line:column`, as editors and terminals link it. */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

export class TenantformError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'TenantformError';
  }
}

export function isTenantformError(e: unknown): e is TenantformError {
  return e instanceof TenantformError;
}

/** Anything that is not a TenantformError is a bug in tenantform, not a user error. */
export function isInternal(e: unknown): boolean {
  return !isTenantformError(e);
}
