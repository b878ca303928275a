/**
 * Admin-consent URLs: what a tenant's administrator opens to grant an application the permissions it
 * lists (requiredResourceAccess). This is how a customer tenant gets a multi-tenant daemon's service
 * principal and app role assignments without running tenantform.
 *
 * v1 form: `{authority host}/{tenant}/adminconsent?client_id={appId}` consents to every permission the app
 * lists (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#request-the-permissions-from-a-directory-admin).
 * v2 form: `{authority host}/{tenant}/v2.0/adminconsent?client_id=…&scope={resource}/.default`, where `scope` is
 * required and `/.default` asks for all of that resource's listed app permissions
 * (https://learn.microsoft.com/entra/identity-platform/v2-admin-consent). `{tenant}` is a tenant id or domain;
 * `organizations` works too, `common` must not be used with v2.
 */
export interface ConsentUrlOptions {
  /** Authority host: https://login.microsoftonline.com, a national cloud's, or the emulator's origin. */
  authorityHost: string;
  /** The tenant whose admin consents: id, verified domain, or `organizations`. */
  tenant: string;
  clientId: string;
  /** For the v2 form: the resource (identifier URI or appId) whose app permissions are requested. */
  resource?: string;
  redirectUri?: string;
  state?: string;
}

export interface ConsentUrls {
  /** Consents to everything the app lists (all resources). */
  v1: string;
  /** Only with a resource: consent to that resource's listed app permissions. */
  v2?: string;
}

export function adminConsentUrls(o: ConsentUrlOptions): ConsentUrls {
  const host = o.authorityHost.replace(/\/+$/, '');
  const tenant = encodeURIComponent(o.tenant);
  const common = (q: URLSearchParams) => {
    if (o.redirectUri) q.set('redirect_uri', o.redirectUri);
    if (o.state) q.set('state', o.state);
    return q;
  };
  const v1 = `${host}/${tenant}/adminconsent?${common(new URLSearchParams({ client_id: o.clientId })).toString()}`;
  if (!o.resource) return { v1 };
  const v2 = `${host}/${tenant}/v2.0/adminconsent?${common(new URLSearchParams({ client_id: o.clientId, scope: defaultScope(o.resource) })).toString()}`;
  return { v1, v2 };
}

/**
 * `{resource}/.default` — with the documented double slash when the identifier URI itself ends in `/`
 * (https://learn.microsoft.com/entra/identity-platform/scopes-oidc#trailing-slash-and-default).
 */
export function defaultScope(resource: string): string {
  return `${resource}/.default`;
}
