import type { LiveState } from '../model/live.js';
import {
  identifierUrisFor,
  type DesiredApplication,
  type DesiredOutput,
  type DesiredPermission,
  type DesiredStack,
  type JsonTemplate,
  type OutputRef,
  type TemplatePart,
} from '../model/desired.js';
import type { SecretStore } from '../outputs/secret-cache.js';
import { defaultScope } from './consent.js';
import { scopeOf, valueOf, type WrittenConfig } from './written.js';

/** Microsoft Graph: a first-party API outside every manifest, whose tokens are v1 with this audience. */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** The API side of one check, from the manifest (stack apps) or the live tenant (tenant APIs). */
export interface ProbeApi {
  label: string;
  /** The manifest key when the API is an application of the same stack. */
  key?: string;
  appId: string;
  /** Identifier URIs (stack apps: with the appId substituted; tenant APIs: servicePrincipalNames). */
  identifierUris: string[];
  /** 1 or 2 for stack apps (requestedAccessTokenVersion), 1 for Microsoft Graph, undefined when unknown. */
  version?: 1 | 2;
  /** The API asked for the idtyp optional claim in access tokens. */
  wantsIdtyp: boolean;
  /** Its service principal has appRoleAssignmentRequired (AADSTS501051 without an assignment). */
  assignmentRequired: boolean;
  /** Its service principal's object id, when it exists. */
  servicePrincipalId?: string;
  /** App role ids by value. */
  roleIds: Record<string, string>;
}

export type ProbeCredential = { kind: 'secret'; value: string; source: string } | { kind: 'certificate'; pem?: string; path?: string; source: string };

/** One (confidential client → API) pair to verify, with everything read from the manifest, the tenant and the written config. */
export interface Probe {
  client: { label: string; stack: string; key: string; appId?: string; displayName: string };
  api: ProbeApi;
  /** App role values the manifest asks for on this API. */
  roles: string[];
  /** The manifest grants them (adminConsent: true): an absent role may still be replicating. */
  consented: boolean;
  /** Roles whose app role assignment Microsoft Graph shows (so a token without them is only lagging). */
  assignedInGraph: string[];
  scope: { value: string; source: string };
  credential?: ProbeCredential;
  /** The client id, tenant and authority as the written config states them (undefined when it does not). */
  written: { clientId?: string; clientIdSource?: string; tenant?: string; authority?: string };
  /**
   * Output files the manifests declare with this client's config (its appId, secret or certificate) that are
   * not on disk. The app would read them: verify fails rather than prove something else (the cache, a scope
   * it computed) in their place.
   */
  missingConfig: string[];
}

export interface ProbeContext {
  live: LiveState;
  written: WrittenConfig;
  secrets: SecretStore;
  cwd: string;
}

/** A confidential client: it has a secret or a certificate, and application permissions (roles) to prove. */
export function isConfidentialClient(app: DesiredApplication): boolean {
  const certs = (app as { certificates?: unknown[] }).certificates ?? [];
  return (app.secrets.length > 0 || certs.length > 0) && app.permissions.some((p) => p.roles.length > 0);
}

export function probesFor(stack: DesiredStack, ctx: ProbeContext): Probe[] {
  const out: Probe[] = [];
  for (const app of stack.applications.filter(isConfidentialClient)) {
    const live = ctx.live.applications[app.uniqueName.toLowerCase()];
    const appId = live?.app.appId ?? undefined;
    const credential = credentialFor(stack, app, ctx);
    const preferFile = credential?.source.split(':')[0];
    const isClient = (r: OutputRef) => r.kind === 'appId' && r.app === app.key;
    const clientId = valueOf(ctx.written, isClient, preferFile);
    const tenant = valueOf(ctx.written, (r) => r.kind === 'tenant' && r.field === 'id', preferFile);
    const authority = valueOf(ctx.written, (r) => r.kind === 'tenant' && r.field === 'authority', preferFile);
    const missingConfig = stack.outputs.filter((o) => holdsClientConfig(o, app.key) && ctx.written.missing.includes(o.path)).map((o) => o.path);
    for (const p of app.permissions.filter((x) => x.roles.length > 0)) {
      const api = apiFor(stack, p, ctx.live);
      out.push({
        client: { label: `${stack.name}/${app.key}`, stack: stack.name, key: app.key, appId, displayName: app.displayName },
        api,
        roles: [...p.roles],
        consented: p.adminConsent,
        assignedInGraph: p.roles.filter((r) =>
          (live?.assignments ?? []).some((a) => a.resourceId === api.servicePrincipalId && a.appRoleId?.toLowerCase() === api.roleIds[r]?.toLowerCase()),
        ),
        scope: scopeFor(api, ctx.written, preferFile),
        credential,
        written: {
          clientId: clientId?.value,
          clientIdSource: clientId ? `${clientId.file}:${clientId.key}` : undefined,
          tenant: tenant?.value,
          authority: authority?.value,
        },
        missingConfig,
      });
    }
  }
  return out;
}

/** The output names the client itself (its appId, a secret or a certificate): it is that app's config file. */
export function holdsClientConfig(o: DesiredOutput, key: string): boolean {
  const names = (parts: readonly TemplatePart[]) =>
    parts.some((p) => 'ref' in p && (p.ref.kind === 'appId' || p.ref.kind === 'secret' || p.ref.kind === 'certificate') && p.ref.app === key);
  const inShape = (t: JsonTemplate | null): boolean =>
    t !== null && typeof t === 'object' && (Array.isArray(t) ? t.some(inShape) : 'parts' in t ? names(t.parts) : t.object.some(([, v]) => inShape(v)));
  return o.values.some((v) => names(v.parts)) || inShape(o.shape);
}

/** The API of a permission; `appId` is '' when it does not exist in the tenant (yet). */
export function apiFor(stack: DesiredStack, p: DesiredPermission, live: LiveState): ProbeApi {
  const absent = (label: string, key?: string): ProbeApi => ({
    label,
    key,
    appId: '',
    identifierUris: [],
    wantsIdtyp: false,
    assignmentRequired: false,
    roleIds: {},
  });
  if (p.api.kind === 'stack') {
    const key = p.api.key;
    const r = stack.applications.find((a) => a.key === key);
    const appId = r && live.applications[r.uniqueName.toLowerCase()]?.app.appId;
    if (!r || !appId) return absent(`${stack.name}/${key}`, key);
    return {
      label: `${stack.name}/${key}`,
      key,
      appId,
      identifierUris: identifierUrisFor(r, appId),
      version: r.requestedAccessTokenVersion,
      wantsIdtyp: r.optionalClaims.accessToken.some((c) => c.name === 'idtyp'),
      assignmentRequired: r.servicePrincipal.appRoleAssignmentRequired,
      servicePrincipalId: live.applications[r.uniqueName.toLowerCase()]?.servicePrincipal?.id ?? undefined,
      roleIds: Object.fromEntries(r.appRoles.map((x) => [x.value, x.id])),
    };
  }
  const sp = live.resources[p.api.name]?.servicePrincipal;
  if (!sp?.appId) return absent(p.api.name);
  const graph = sp.appId.toLowerCase() === MICROSOFT_GRAPH_APP_ID;
  return {
    label: sp.displayName ?? p.api.name,
    appId: sp.appId,
    identifierUris: graph ? ['https://graph.microsoft.com'] : (sp.servicePrincipalNames ?? []).filter((n) => n.toLowerCase() !== sp.appId!.toLowerCase()),
    version: graph ? 1 : undefined,
    wantsIdtyp: false,
    assignmentRequired: !!sp.appRoleAssignmentRequired,
    servicePrincipalId: sp.id ?? undefined,
    roleIds: Object.fromEntries((sp.appRoles ?? []).filter((x) => x.value && x.id).map((x) => [x.value!, x.id!])),
  };
}

/** The written scope when the config has one for this API, else the right one: `{first identifier URI or appId}/.default`. */
function scopeFor(api: ProbeApi, written: WrittenConfig, preferFile?: string): Probe['scope'] {
  const w = api.key ? scopeOf(written, api.key, preferFile) : undefined;
  if (w) return { value: w.value.trim(), source: `${w.file}:${w.key}` };
  return { value: defaultScope(api.identifierUris[0] ?? api.appId), source: 'computed (the written config holds no scope for this API)' };
}

/**
 * The credential the daemon would use: a secret or certificate from the written config (preferred: that is
 * what the app reads), else the 0600 secret cache, else a generated certificate's key file.
 */
export function credentialFor(stack: DesiredStack, app: DesiredApplication, ctx: ProbeContext): ProbeCredential | undefined {
  const secret = valueOf(ctx.written, (r) => r.kind === 'secret' && r.app === app.key);
  if (secret) return { kind: 'secret', value: secret.value, source: `${secret.file}:${secret.key}` };
  const isCert = (field: string) => (r: OutputRef) => r.kind === 'certificate' && r.app === app.key && r.field === field;
  const pem = valueOf(ctx.written, isCert('pem'));
  if (pem) return { kind: 'certificate', pem: pem.value, source: `${pem.file}:${pem.key}` };
  const path = valueOf(ctx.written, isCert('path'));
  if (path) return { kind: 'certificate', path: path.value, source: `${path.file}:${path.key}` };
  for (const s of app.secrets) {
    const known = ctx.secrets.get(stack.name, app.key, s.name);
    if (known) return { kind: 'secret', value: known.value, source: `secret cache (${s.name})` };
  }
  const certs = (app as { certificates?: Array<{ name: string; keyFile?: string | null }> }).certificates ?? [];
  for (const c of certs) if (c.keyFile) return { kind: 'certificate', path: c.keyFile, source: `certificate key file (${c.name})` };
  return undefined;
}
