/**
 * Which delegated chains `tenantform verify --user` proves, planned from the manifests, the live tenant and the
 * written config (pure: no network). A chain is a MIDDLE TIER — a confidential client (a secret or a certificate)
 * that exposes delegated scopes and holds delegated permissions on another API — and each API it calls on behalf of
 * the user. Two legs per chain (src/verify/run-delegated.ts):
 *  1. the user's token for the middle tier: the password grant (ROPC) with the middle tier's own client id and
 *     credential (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc: confidential clients send their
 *     credential);
 *  2. the middle tier's On-Behalf-Of exchange of that token for the downstream API's scopes
 *     (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow).
 */
import type { DesiredApplication, DesiredPermission, DesiredStack } from '../model/desired.js';
import type { LiveState } from '../model/live.js';
import { parsePolicyMarker, type DesiredPolicy } from '../model/policies.js';
import { apiFor, credentialFor, holdsClientConfig, MICROSOFT_GRAPH_APP_ID, type ProbeApi, type ProbeContext, type ProbeCredential } from './probes.js';
import { valueOf } from './written.js';

/** A conditional access policy of the manifests that requires MFA for the downstream API. */
export interface MfaPolicy {
  key: string;
  displayName: string;
  /** The live policy's object id, when it exists (the claims challenge names it in `capolids`). */
  id?: string;
  state: DesiredPolicy['state'];
}

/** The grant the manifest makes for one leg, as the next step names it. */
export interface DelegatedGrant {
  /** `permissions: [{ api: <api>, scopes: [...] }]` of application `<client>`. */
  client: string;
  api: string;
  scopes: string[];
  /** adminConsent: true (everyone) — or the users of userConsent. */
  adminConsent: boolean;
  userConsent: string[];
}

export interface DelegatedLeg {
  api: ProbeApi;
  /** Scope values asked for (without the resource). */
  scopes: string[];
  /** The scope strings sent, each with where it came from. */
  request: Array<{ value: string; source: string }>;
  /** The grant of the manifests that covers this leg (undefined: none does). */
  grant?: DelegatedGrant;
  /** The API wants `idtyp` in access tokens and user tokens get it (additionalProperties include_user_token). */
  wantsUserIdtyp: boolean;
}

export interface DelegatedProbe {
  /** `<stack>/<key>` of the middle tier. */
  label: string;
  stack: string;
  key: string;
  appId?: string;
  credential?: ProbeCredential;
  written: { clientId?: string; clientIdSource?: string; authority?: string };
  /** Output files with the middle tier's config that are not on disk. */
  missingConfig: string[];
  /** Leg 1: the middle tier's own scopes (those its clients ask for). */
  user: DelegatedLeg;
  /** Leg 2: one exchange per downstream API. */
  downstream: Array<DelegatedLeg & { mfaPolicies: MfaPolicy[] }>;
  /** Enabled MFA policies of the manifests on the middle tier itself (the password grant cannot satisfy them). */
  ownMfaPolicies: MfaPolicy[];
}

/** A middle tier: a credential, delegated scopes it exposes, and delegated permissions on another API. */
export function isMiddleTier(app: DesiredApplication): boolean {
  const hasCredential = app.secrets.length > 0 || app.certificates.length > 0;
  const exposes = app.oauth2PermissionScopes.some((s) => s.isEnabled);
  return hasCredential && exposes && downstreamPermissions(app).length > 0;
}

function downstreamPermissions(app: DesiredApplication): DesiredPermission[] {
  return app.permissions.filter((p) => p.scopes.length > 0 && !(p.api.kind === 'stack' && p.api.key === app.key));
}

export function delegatedProbesFor(stack: DesiredStack, ctx: ProbeContext): DelegatedProbe[] {
  return stack.applications.filter(isMiddleTier).map((app) => planChain(stack, app, ctx));
}

function planChain(stack: DesiredStack, app: DesiredApplication, ctx: ProbeContext): DelegatedProbe {
  const live = ctx.live.applications[app.uniqueName.toLowerCase()];
  const appId = live?.app.appId ?? undefined;
  const credential = credentialFor(stack, app, ctx);
  const preferFile = credential?.source.split(':')[0];
  const clientId = valueOf(ctx.written, (r) => r.kind === 'appId' && r.app === app.key, preferFile);
  const authority = valueOf(ctx.written, (r) => r.kind === 'tenant' && r.field === 'authority', preferFile);
  const self = apiFor(stack, selfRef(app.key), ctx.live);
  const own = ownScopes(stack, app);
  const user: DelegatedLeg = {
    api: self,
    scopes: own,
    // Entra refuses an app asking for a token for ITSELF by identifier URI (AADSTS90009: "This scenario is supported
    // only if resource is specified using the GUID based App Identifier"; observed in
    // Azure-Samples/active-directory-dotnet-native-aspnetcore-v2#36): the middle tier names itself by its appId.
    request: own.map((s) => ({ value: `${appId ?? ''}/${s}`, source: 'the middle tier asks for itself by appId (AADSTS90009 for a URI)' })),
    grant: grantFor(stack, app, app.key, own),
    wantsUserIdtyp: wantsUserIdtyp(app),
  };
  const downstream = downstreamPermissions(app).map((p) => {
    const api = apiFor(stack, p, ctx.live);
    const target = p.api.kind === 'stack' ? stack.applications.find((a) => a.key === (p.api as { key: string }).key) : undefined;
    return {
      api,
      scopes: [...p.scopes],
      request: p.scopes.map((s) => downstreamScope(api, s, p, ctx, preferFile)),
      grant: grantFor(stack, app, p.api.kind === 'stack' ? p.api.key : p.api.name, p.scopes),
      wantsUserIdtyp: target ? wantsUserIdtyp(target) : false,
      mfaPolicies: mfaPoliciesOn(stack, ctx.live, p.api.kind === 'stack' ? { key: p.api.key } : { appId: api.appId }),
    };
  });
  const missingConfig = stack.outputs.filter((o) => ctx.written.missing.includes(o.path) && holdsClientConfig(o, app.key)).map((o) => o.path);
  return {
    label: `${stack.name}/${app.key}`,
    stack: stack.name,
    key: app.key,
    appId,
    credential,
    written: { clientId: clientId?.value, clientIdSource: clientId ? `${clientId.file}:${clientId.key}` : undefined, authority: authority?.value },
    missingConfig,
    user,
    downstream,
    ownMfaPolicies: mfaPoliciesOn(stack, ctx.live, { key: app.key }).filter((m) => m.state === 'enabled'),
  };
}

function selfRef(key: string): DesiredPermission {
  return { api: { kind: 'stack', key }, roles: [], scopes: [], adminConsent: false, location: { file: '', line: 0, column: 0 } } as DesiredPermission;
}

/** The scopes of the middle tier its clients ask for; none asked: every enabled scope it exposes. */
export function ownScopes(stack: DesiredStack, app: DesiredApplication): string[] {
  const enabled = app.oauth2PermissionScopes.filter((s) => s.isEnabled).map((s) => s.value);
  const asked = new Set(
    stack.applications
      .filter((a) => a.key !== app.key)
      .flatMap((a) => a.permissions.filter((p) => p.api.kind === 'stack' && p.api.key === app.key).flatMap((p) => p.scopes)),
  );
  const fromClients = enabled.filter((s) => asked.has(s));
  return fromClients.length ? fromClients : enabled;
}

/** The written scope string (e.g. `downstreamAPI.scopes` = `${apps.downstream.scopes.x}`), else the right one. */
function downstreamScope(api: ProbeApi, value: string, p: DesiredPermission, ctx: ProbeContext, preferFile?: string): { value: string; source: string } {
  if (p.api.kind === 'stack') {
    const key = p.api.key;
    const w = valueOf(ctx.written, (r) => r.kind === 'scope' && r.app === key && r.value === value, preferFile);
    if (w) return { value: w.value.trim(), source: `${w.file}:${w.key}` };
  }
  const resource = api.appId.toLowerCase() === MICROSOFT_GRAPH_APP_ID ? 'https://graph.microsoft.com' : (api.identifierUris[0] ?? api.appId);
  // A URI ending in '/' keeps it and adds one: Entra splits the scope at its last '/' (scopes-oidc#trailing-slash-and-default).
  return { value: `${resource}/${value}`, source: 'computed (the written config holds no such scope)' };
}

/** The grant in the manifests that lets `app` act for users on `api` with `scopes` (a permission of `app`). */
function grantFor(stack: DesiredStack, app: DesiredApplication, api: string, scopes: string[]): DelegatedGrant | undefined {
  const p = app.permissions.find((x) => (x.api.kind === 'stack' ? x.api.key : x.api.name) === api && scopes.every((s) => x.scopes.includes(s)));
  if (!p || (!p.adminConsent && !(p.userConsent ?? []).length)) return undefined;
  return {
    client: `${stack.name}/${app.key}`,
    api,
    scopes: [...p.scopes],
    adminConsent: p.adminConsent,
    userConsent: (p.userConsent ?? []).map((u) => u.user),
  };
}

/** The grant covers this user: adminConsent, or the user named in userConsent (by UPN or object id, resolved live). */
export function grantCovers(grant: DelegatedGrant | undefined, upn: string, live: LiveState): boolean {
  if (!grant) return false;
  if (grant.adminConsent) return true;
  const u = upn.toLowerCase();
  return grant.userConsent.some((w) => w.toLowerCase() === u || live.users?.[w.toLowerCase()]?.userPrincipalName.toLowerCase() === u);
}

function wantsUserIdtyp(app: DesiredApplication): boolean {
  return app.optionalClaims.accessToken.some((c) => c.name === 'idtyp' && c.additionalProperties.includes('include_user_token'));
}

/**
 * Policies of the stack (not disabled) whose grant controls require MFA and whose applications include the API
 * (by key, appId or `All`) without excluding it. Users are not matched: the policy names who it targets, and the
 * report says which policy answered.
 */
export function mfaPoliciesOn(stack: DesiredStack, live: LiveState, target: { key?: string; appId?: string }): MfaPolicy[] {
  const liveIds = new Map<string, string>();
  const ca = live.conditionalAccess;
  if (ca && 'policies' in ca) {
    for (const p of ca.policies) {
      const m = parsePolicyMarker(p.description);
      if (m && m.stack === stack.name && p.id) liveIds.set(m.key, p.id);
    }
  }
  const appIdOfKey = (key: string) => {
    const a = stack.applications.find((x) => x.key === key);
    return a ? (live.applications[a.uniqueName.toLowerCase()]?.app.appId ?? undefined) : undefined;
  };
  const targetAppId = (target.appId ?? (target.key ? appIdOfKey(target.key) : undefined))?.toLowerCase();
  const names = (refs: DesiredPolicy['applications']['include']) =>
    refs.some((r) =>
      r.kind === 'stack'
        ? r.key === target.key || (!!targetAppId && appIdOfKey(r.key)?.toLowerCase() === targetAppId)
        : r.value === 'All' || (!!targetAppId && r.value.toLowerCase() === targetAppId),
    );
  return stack.conditionalAccessPolicies
    .filter((p) => p.state !== 'disabled' && p.grant.builtInControls.includes('mfa') && names(p.applications.include) && !names(p.applications.exclude))
    .map((p) => ({ key: p.key, displayName: p.displayName, id: liveIds.get(p.key), state: p.state }));
}
