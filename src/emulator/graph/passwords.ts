import { randomUUID } from 'node:crypto';
import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { json, noContent, type EmuResponse } from '../http.js';
import { newSecretText, secretHash } from '../seed.js';
import { requireApplication } from './app-access.js';
import { validateActionBody } from './validate-body.js';

/**
 * Client secrets: only through the addPassword / removePassword actions.
 * https://learn.microsoft.com/graph/api/application-addpassword, https://learn.microsoft.com/graph/api/application-removepassword
 */

const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000 + 24 * 3600 * 1000;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export const passwordRoutes: GraphRoute[] = [
  { method: 'POST', pattern: 'applications/:app/addPassword', anyOf: PERMS.appWrite, handler: addPassword },
  { method: 'POST', pattern: 'applications/:app/microsoft.graph.addPassword', anyOf: PERMS.appWrite, handler: addPassword },
  { method: 'POST', pattern: 'applications/:app/removePassword', anyOf: PERMS.appWrite, handler: removePassword },
  { method: 'POST', pattern: 'applications/:app/microsoft.graph.removePassword', anyOf: PERMS.appWrite, handler: removePassword },
];

function dateParam(value: string | null | undefined, fallback: number): number {
  if (value === null || value === undefined) return fallback;
  return Date.parse(value);
}

/**
 * 200 + passwordCredential with the generated `secretText` — the only time it is ever returned.
 * The app keeps the metadata (secretText null; `hint` = first 3 characters) and the emulator keeps a
 * sha256 of the secret for the token endpoint. The new keyId shows on GET only after replication,
 * as TFAD's polling expects (reference §1.6).
 */
function addPassword(ctx: GraphCtx): EmuResponse {
  const tenant = ctx.env.tenant;
  const body = (ctx.req.body ?? {}) as { passwordCredential?: PasswordCredential | null };
  validateActionBody('application', 'addPassword', body);
  const app = requireApplication(ctx, ctx.params.app, 'write');
  const requested = body.passwordCredential ?? {};
  const start = dateParam(requested.startDateTime, ctx.env.clock.now());
  const end = dateParam(requested.endDateTime, start + TWO_YEARS_MS);
  if (end <= start) throw graphErrors.badRequest("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.");
  const secretText = newSecretText();
  const credential: PasswordCredential = {
    customKeyIdentifier: null,
    displayName: requested.displayName ?? null,
    endDateTime: iso(end),
    hint: secretText.slice(0, 3),
    keyId: randomUUID(),
    secretText: null,
    startDateTime: iso(start),
  };
  tenant.applications.addPassword(app.id!, credential, secretHash(secretText));
  return json(200, {
    '@odata.context': `${ctx.env.graphUrl}/v1.0/$metadata#microsoft.graph.passwordCredential`,
    ...credential,
    secretText,
  });
}

/**
 * 204. An unknown keyId answers 400 here; the real status/code for that case is UNCONFIRMED
 * (reference §1.6), and clients should not depend on it.
 */
function removePassword(ctx: GraphCtx): EmuResponse {
  const tenant = ctx.env.tenant;
  const body = (ctx.req.body ?? {}) as { keyId?: string };
  validateActionBody('application', 'removePassword', body);
  if (!body.keyId) throw graphErrors.badRequest("Invalid value specified for property 'keyId' of resource 'PasswordCredential'.");
  const app = requireApplication(ctx, ctx.params.app, 'write');
  if (!tenant.applications.removePassword(app.id!, body.keyId)) {
    throw graphErrors.badRequest(`No password credential found with keyId '${body.keyId}'.`);
  }
  return noContent();
}
