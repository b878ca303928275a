import { TenantformError } from '../errors.js';
import { renderTemplate, type CertificateField, type DesiredOutput, type JsonTemplate, type OutputRef, type TemplatePart } from '../model/desired.js';
import { renderDotenv } from './dotenv.js';

/** Everything an output template can refer to; secrets are looked up only when rendering files. */
export interface OutputValues {
  tenant: { id: string; subdomain?: string; authority: string; instance: string; authorityHost: string };
  appId(app: string): string | undefined;
  identifierUri(app: string): string | undefined;
  secret(app: string, name: string): string | undefined;
  certificate(app: string, name: string, field: CertificateField): string | undefined;
}

/**
 * The authority apps should use: the CIAM form for External ID customer tenants
 * (https://learn.microsoft.com/entra/external-id/customers/concept-authentication-methods-customers),
 * the emulator's own authority for the local tenant, else login.microsoftonline.com (or the cloud's host).
 */
export function authorityFor(t: { id: string; tenantType?: string; subdomain?: string }, authorityHost: string, local: boolean): string {
  if (!local && t.tenantType === 'CIAM' && t.subdomain) return `https://${t.subdomain}.ciamlogin.com/${t.id}`;
  return `${authorityHost.replace(/\/$/, '')}/${t.id}`;
}

/** `instance` (Microsoft.Identity.Web's Instance: the authority without the tenant) and the authority's host[:port]. */
export function tenantValues(t: { id: string; tenantType?: string; subdomain?: string }, authorityHost: string, local: boolean): OutputValues['tenant'] {
  const authority = authorityFor(t, authorityHost, local);
  const url = new URL(authority);
  return { id: t.id, subdomain: t.subdomain, authority, instance: `${url.origin}/`, authorityHost: url.host };
}

export function resolveRef(ref: OutputRef, v: OutputValues): string | undefined {
  switch (ref.kind) {
    case 'tenant':
      return v.tenant[ref.field];
    case 'appId':
      return v.appId(ref.app);
    case 'identifierUri':
      return v.identifierUri(ref.app);
    case 'scope': {
      const uri = v.identifierUri(ref.app);
      return uri === undefined ? undefined : `${uri}/${ref.value}`;
    }
    case 'secret':
      return v.secret(ref.app, ref.secret);
    case 'certificate':
      return v.certificate(ref.app, ref.certificate, ref.field);
  }
}

class Missing extends Error {}

function text(parts: readonly TemplatePart[], v: OutputValues): string {
  return renderTemplate(parts, (ref) => {
    const r = resolveRef(ref, v);
    if (r === undefined) throw new Missing();
    return r;
  });
}

function renderJson(t: JsonTemplate, v: OutputValues): unknown {
  if (t === null || typeof t !== 'object') return t;
  if (Array.isArray(t)) return t.map((x) => renderJson(x, v));
  if ('parts' in t) return text(t.parts, v);
  return Object.fromEntries(t.object.map(([k, x]) => [k, renderJson(x, v)]));
}

/** The flat KEY → value pairs of an output (dotenv, json values, GitHub outputs); undefined while a value is unknown. */
export function renderValues(o: Pick<DesiredOutput, 'values'>, v: OutputValues): Array<[string, string]> | undefined {
  try {
    return o.values.map((val) => [val.key, text(val.parts, v)]);
  } catch (e) {
    if (e instanceof Missing) return undefined;
    throw e;
  }
}

/** Render a config file; undefined when some value is not known yet (e.g. before the first apply). */
export function renderOutput(o: DesiredOutput, v: OutputValues): string | undefined {
  try {
    if (o.format === 'js') {
      const exports =
        o.shape !== null ? (renderJson(o.shape, v) as Record<string, unknown>) : Object.fromEntries(o.values.map((val) => [val.key, text(val.parts, v)]));
      return renderJs(exports, o.esModule !== false);
    }
    if (o.shape !== null) return `${JSON.stringify(renderJson(o.shape, v), null, 2)}\n`;
    const values = o.values.map((val): [string, string] => [val.key, text(val.parts, v)]);
    if (o.format === 'json') return `${JSON.stringify(Object.fromEntries(values), null, 2)}\n`;
    if (o.format === 'dotenv') return renderDotenv(o.path, values);
    if (o.format === 'pem') return values.map(([, t]) => t).join('');
  } catch (e) {
    if (e instanceof Missing) return undefined;
    throw e;
  }
  throw new TenantformError('OUTPUT_FAILED', `Unknown output format ${String(o.format)} for ${o.path}.`);
}

/**
 * Each top-level key as a constant, as MSAL.js samples keep their config: an ES module for bundlers
 * (`export const msalConfig = {…}`), or a classic script whose constants a page's later scripts use (the
 * ms-identity-javascript-tutorial samples' authConfig.js). Values are JSON, which is valid JavaScript.
 */
function renderJs(exports: Record<string, unknown>, esModule: boolean): string {
  const lines = ['// Written by tenantform: the next apply rewrites this file.'];
  for (const [name, value] of Object.entries(exports)) lines.push(`${esModule ? 'export ' : ''}const ${name} = ${JSON.stringify(value, null, 2)};`);
  return `${lines.join('\n\n')}\n`;
}
