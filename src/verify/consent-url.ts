import { TenantformError } from '../errors.js';
import { identifierUrisFor } from '../model/desired.js';
import { gatherApply } from '../gather/apply.js';
import type { CommonOptions } from '../options.js';
import { adminConsentUrls } from './consent.js';
import { MICROSOFT_GRAPH_APP_ID } from './probes.js';

/**
 * The admin-consent URL of one application of the manifests for a CUSTOMER tenant: what an ISV sends to a
 * customer's administrator so that the multi-tenant daemon gets its service principal and roles there.
 * The app is read from its home tenant (`tenant` of the options: where it was applied); nothing is written.
 */
export interface ConsentUrlOptions extends CommonOptions {
  /** `key` or `stack/key` of the application. */
  app: string;
  /** The tenant whose administrator consents: id or domain (or `organizations`). */
  customerTenant: string;
  redirectUri?: string;
}

export interface ConsentUrlResult {
  app: string;
  appId: string;
  signInAudience: string;
  homeTenant: string;
  tenant: string;
  /** Consent to every permission the app lists. */
  url: string;
  /** The v2 form, when the app's application permissions are on one API. */
  v2?: string;
  permissions: Array<{ api: string; roles: string[] }>;
}

export async function consentUrl(opts: ConsentUrlOptions): Promise<ConsentUrlResult> {
  const g = await gatherApply({ ...opts, homeTenant: undefined });
  const s = g.snapshot;
  try {
    const [stackName, key] = opts.app.includes('/') ? opts.app.split('/', 2) : [undefined, opts.app];
    const matches = s.stacks.flatMap((st) => st.applications.filter((a) => a.key === key && (!stackName || st.name === stackName)).map((a) => ({ st, a })));
    if (matches.length !== 1) {
      const known = s.stacks.flatMap((st) => st.applications.map((a) => `${st.name}/${a.key}`));
      throw new TenantformError(
        'USAGE',
        matches.length
          ? `--app ${opts.app} is ambiguous; use one of ${matches.map((m) => `${m.st.name}/${m.a.key}`).join(', ')}.`
          : `No application ${opts.app} in the manifests (known: ${known.join(', ')}).`,
      );
    }
    const { st, a } = matches[0];
    const live = s.live.applications[a.uniqueName.toLowerCase()]?.app;
    if (!live?.appId) throw new TenantformError('USAGE', `${st.name}/${a.key} does not exist in tenant ${s.live.tenant.id} yet: run tenantform apply first.`);
    const audience = live.signInAudience ?? 'AzureADMyOrg';
    const home = s.live.tenant;
    const isHome = [home.id, ...home.verifiedDomains].some((t) => t.toLowerCase() === opts.customerTenant.toLowerCase());
    if (!isHome && audience !== 'AzureADMultipleOrgs' && audience !== 'AzureADandPersonalMicrosoftAccount') {
      throw new TenantformError(
        'USAGE',
        `${st.name}/${a.key} is single-tenant (signInAudience ${audience}): other tenants cannot consent to it. Set signInAudience: AzureADMultipleOrgs in the manifest and run tenantform apply.`,
        { signInAudience: audience },
      );
    }
    const withRoles = a.permissions.filter((p) => p.roles.length > 0);
    const resources = withRoles.map((p) => {
      if (p.api.kind === 'stack') {
        const key = p.api.key;
        const r = st.applications.find((x) => x.key === key)!;
        const appId = s.live.applications[r.uniqueName.toLowerCase()]?.app.appId ?? '';
        return { api: `${st.name}/${key}`, resource: identifierUrisFor(r, appId)[0] ?? appId };
      }
      const sp = s.live.resources[p.api.name]?.servicePrincipal;
      return { api: sp?.displayName ?? p.api.name, resource: sp?.appId === MICROSOFT_GRAPH_APP_ID ? 'https://graph.microsoft.com' : (sp?.appId ?? '') };
    });
    const one = resources.length === 1 && resources[0].resource ? resources[0].resource : undefined;
    const urls = adminConsentUrls({
      authorityHost: g.io.connection.target.authorityHost,
      tenant: opts.customerTenant,
      clientId: live.appId,
      resource: one,
      redirectUri: opts.redirectUri,
    });
    return {
      app: `${st.name}/${a.key}`,
      appId: live.appId,
      signInAudience: audience,
      homeTenant: home.id,
      tenant: opts.customerTenant,
      url: urls.v1,
      ...(urls.v2 ? { v2: urls.v2 } : {}),
      permissions: withRoles.map((p, i) => ({ api: resources[i].api, roles: [...p.roles] })),
    };
  } finally {
    await g.io.close();
  }
}
