import { TenantformError } from '../errors.js';
import { renderTemplate, type DesiredOutput, type OutputRef } from '../model/desired.js';

/** Everything an output template can refer to; secrets are looked up only when rendering files. */
export interface OutputValues {
  tenant: { id: string; subdomain?: string; authority: string };
  appId(app: string): string | undefined;
  identifierUri(app: string): string | undefined;
  secret(app: string, name: string): string | undefined;
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

export function resolveRef(ref: OutputRef, v: OutputValues): string | undefined {
  switch (ref.kind) {
    case 'tenant':
      return ref.field === 'id' ? v.tenant.id : ref.field === 'subdomain' ? v.tenant.subdomain : v.tenant.authority;
    case 'appId':
      return v.appId(ref.app);
    case 'identifierUri':
      return v.identifierUri(ref.app);
    case 'secret':
      return v.secret(ref.app, ref.secret);
  }
}

/** Render a config file; undefined when some value is not known yet (e.g. before the first apply). */
export function renderOutput(o: DesiredOutput, v: OutputValues): string | undefined {
  const values: Array<[string, string]> = [];
  for (const val of o.values) {
    let missing = false;
    const text = renderTemplate(val.parts, (ref) => {
      const r = resolveRef(ref, v);
      if (r === undefined) missing = true;
      return r ?? '';
    });
    if (missing) return undefined;
    values.push([val.key, text]);
  }
  if (o.format === 'json') return `${JSON.stringify(Object.fromEntries(values), null, 2)}\n`;
  if (o.format === 'dotenv') return values.map(([k, t]) => `${k}=${dotenvQuote(t)}`).join('\n') + '\n';
  throw new TenantformError('OUTPUT_FAILED', `Unknown output format ${String(o.format)} for ${o.path}.`);
}

/** dotenv values: bare when safe, else double-quoted with escapes (the dotenv package's rules). */
function dotenvQuote(v: string): string {
  if (/^[A-Za-z0-9_./:@~+=,{}-]*$/.test(v)) return v;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
