import { randomUUID } from 'node:crypto';
import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { json, noContent, type EmuResponse } from '../http.js';
import { newSecretText, secretHash } from '../seed.js';
import { requireApplication } from './app-access.js';
import { assertCanManageApp, findServicePrincipal } from './sp-model.js';
import { validateActionBody } from './validate-body.js';

/**
 * Client secrets: only through the addPassword / removePassword actions, on applications
 * (https://learn.microsoft.com/graph/api/application-addpassword, application-removepassword) and on service
 * principals (https://learn.microsoft.com/graph/api/serviceprincipal-addpassword, serviceprincipal-removepassword:
 * same body, same answer, permissions Application.ReadWrite.OwnedBy / Application.ReadWrite.All /
 * Directory.ReadWrite.All). A service principal's secret signs its client in to the SP's tenant like one of the
 * application's (login/client.ts checkSecret).
 */

const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000 + 24 * 3600 * 1000;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export const passwordRoutes: GraphRoute[] = [
  { method: 'POST', pattern: 'applications/:app/addPassword', anyOf: PERMS.appWrite, handler: addPassword },
  { method: 'POST', pattern: 'applications/:app/microsoft.graph.addPassword', anyOf: PERMS.appWrite, handler: addPassword },
  { method: 'POST', pattern: 'applications/:app/removePassword', anyOf: PERMS.appWrite, handler: removePassword },
  { method: 'POST', pattern: 'applications/:app/microsoft.graph.removePassword', anyOf: PERMS.appWrite, handler: removePassword },
];

/** serviceprincipal-addpassword / -removepassword list Directory.ReadWrite.All beside the two Application permissions. */
const SP_PASSWORD_WRITE = [...PERMS.appWrite, 'Directory.ReadWrite.All'];

export const spPasswordRoutes: GraphRoute[] = [
  { method: 'POST', pattern: 'servicePrincipals/:sp/addPassword', anyOf: SP_PASSWORD_WRITE, handler: addSpPassword },
  { method: 'POST', pattern: 'servicePrincipals/:sp/microsoft.graph.addPassword', anyOf: SP_PASSWORD_WRITE, handler: addSpPassword },
  { method: 'POST', pattern: 'servicePrincipals/:sp/removePassword', anyOf: SP_PASSWORD_WRITE, handler: removeSpPassword },
  { method: 'POST', pattern: 'servicePrincipals/:sp/microsoft.graph.removePassword', anyOf: SP_PASSWORD_WRITE, handler: removeSpPassword },
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
  const body = (ctx.req.body ?? {}) as { passwordCredential?: PasswordCredential | null };
  validateActionBody('application', 'addPassword', body);
  const app = requireApplication(ctx, ctx.params.app, 'write');
  const { credential, secretText } = newPasswordCredential(ctx, body.passwordCredential);
  ctx.env.tenant.applications.addPassword(app.id!, credential, secretHash(secretText));
  return passwordResponse(ctx, credential, secretText);
}

/** servicePrincipal addPassword: as for applications; the SP by id or `(appId='…')`, as a replica sees it. */
function addSpPassword(ctx: GraphCtx): EmuResponse {
  const body = (ctx.req.body ?? {}) as { passwordCredential?: PasswordCredential | null };
  validateActionBody('servicePrincipal', 'addPassword', body);
  const sp = findServicePrincipal(ctx.env.tenant, ctx.params.sp);
  assertCanManageApp(ctx, sp.appId);
  const { credential, secretText } = newPasswordCredential(ctx, body.passwordCredential);
  ctx.env.tenant.servicePrincipals.addPassword(sp.id!, credential, secretHash(secretText));
  return passwordResponse(ctx, credential, secretText);
}

/** A new credential (metadata as stored: secretText null) and its secret; startDateTime defaults to now, end to start + 2 years. */
function newPasswordCredential(ctx: GraphCtx, requested: PasswordCredential | null | undefined): { credential: PasswordCredential; secretText: string } {
  const asked = requested ?? {};
  const start = dateParam(asked.startDateTime, ctx.env.clock.now());
  const end = dateParam(asked.endDateTime, start + TWO_YEARS_MS);
  if (end <= start) throw graphErrors.badRequest("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.");
  const secretText = newSecretText();
  const credential: PasswordCredential = {
    customKeyIdentifier: null,
    displayName: asked.displayName ?? null,
    endDateTime: iso(end),
    hint: secretText.slice(0, 3),
    keyId: randomUUID(),
    secretText: null,
    startDateTime: iso(start),
  };
  return { credential, secretText };
}

function passwordResponse(ctx: GraphCtx, credential: PasswordCredential, secretText: string): EmuResponse {
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
  const body = (ctx.req.body ?? {}) as { keyId?: string };
  validateActionBody('application', 'removePassword', body);
  const keyId = requiredKeyId(body);
  const app = requireApplication(ctx, ctx.params.app, 'write');
  if (!ctx.env.tenant.applications.removePassword(app.id!, keyId)) throw unknownKeyId(keyId);
  return noContent();
}

/** servicePrincipal removePassword: 204; the same refusals as for applications (texts UNCONFIRMED likewise). */
function removeSpPassword(ctx: GraphCtx): EmuResponse {
  const body = (ctx.req.body ?? {}) as { keyId?: string };
  validateActionBody('servicePrincipal', 'removePassword', body);
  const keyId = requiredKeyId(body);
  const sp = findServicePrincipal(ctx.env.tenant, ctx.params.sp);
  assertCanManageApp(ctx, sp.appId);
  if (!ctx.env.tenant.servicePrincipals.removePassword(sp.id!, keyId)) throw unknownKeyId(keyId);
  return noContent();
}

function requiredKeyId(body: { keyId?: string }): string {
  if (!body.keyId) throw graphErrors.badRequest("Invalid value specified for property 'keyId' of resource 'PasswordCredential'.");
  return body.keyId;
}

const unknownKeyId = (keyId: string) => graphErrors.badRequest(`No password credential found with keyId '${keyId}'.`);
