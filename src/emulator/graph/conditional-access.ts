import { randomUUID } from 'node:crypto';
import type { ConditionalAccessPolicy } from '@microsoft/microsoft-graph-types';
import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import appTypes from '../data/graph-v1.0-app-types.json' with { type: 'json' };
import { GraphFault, graphErrors } from '../errors.js';
import { noContent, type EmuResponse } from '../http.js';
import { parseKey } from '../router.js';
import type { Tenant } from '../store/index.js';
import { entityResponse, listResponse } from './odata.js';
import { isGuid, parseTypeRef, typeProperties, validateBody } from './validate-body.js';

/**
 * Conditional access policies: /identity/conditionalAccess/policies (v1.0).
 * https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy, conditionalaccessroot-list-policies,
 * conditionalaccessroot-post-policies, conditionalaccesspolicy-get, -update, -delete.
 *
 * The conditional access API is not the directory: it answers `BadRequest` with numbered messages (1007, 1011,
 * 1039) and 403 `AccessDenied`, not the `Request_*` / `Authorization_RequestDenied` codes of /applications.
 * Writes need an Entra ID P1 license, risk conditions P2 (the tenant's `licenses`, licenses.ts). Policies have the
 * replication lag of every other object, and the service principals a policy names must be visible to
 * conditional access, which sees new ones later than Graph does (terraform-provider-azuread PR #1047): the
 * emulator uses the service principal's own replica view (replicationLagMs), so a client that retries converges.
 */

const TYPE = 'conditionalAccessPolicy';
const ENTITY_SET = 'identity/conditionalAccess/policies';
const PATTERN = 'identity/conditionalAccess/policies';
/** `$filter` on displayName, state and id (eq and the shared helpers' other operators); `$count` is not modelled (501). */
const FILTERABLE = ['id', 'displayName', 'state'];
const LIST_OPTIONS = ['$filter', '$select', '$top', '$skiptoken'];

const read = { anyOf: PERMS.caRead, denied: graphErrors.caDenied };
const write = { anyOf: PERMS.caWrite, alsoAnyOf: [PERMS.caWriteAlso], denied: graphErrors.caDenied };

export const conditionalAccessRoutes: GraphRoute[] = [
  {
    method: 'GET',
    pattern: PATTERN,
    ...read,
    query: LIST_OPTIONS,
    handler: (ctx) =>
      listResponse(ctx, { entitySet: ENTITY_SET, type: TYPE, items: ctx.env.tenant.conditionalAccessPolicies.list(), filterable: FILTERABLE, resource: TYPE }),
  },
  { method: 'POST', pattern: PATTERN, ...write, handler: createPolicy },
  {
    method: 'GET',
    pattern: `${PATTERN}/:id`,
    ...read,
    handler: (ctx) => entityResponse(ctx, ENTITY_SET, TYPE, findPolicy(ctx.env.tenant, ctx.params.id)),
  },
  { method: 'PATCH', pattern: `${PATTERN}/:id`, ...write, handler: updatePolicy },
  {
    // conditionalaccesspolicy-delete → 204; a second DELETE finds nothing (404).
    method: 'DELETE',
    pattern: `${PATTERN}/:id`,
    ...write,
    handler: (ctx) => {
      const tenant = ctx.env.tenant;
      requireLicense(tenant);
      const policy = findPolicy(tenant, ctx.params.id);
      tenant.conditionalAccessPolicies.remove(policy.id!);
      return noContent();
    },
  },
];

/**
 * The policy a URL names, as a replica sees it: unknown, deleted or not yet replicated → 404. The conditional
 * access API's own 404 body is UNCONFIRMED; the directory's Request_ResourceNotFound is answered, as for every
 * other object of the emulator.
 */
function findPolicy(tenant: Tenant, segment: string): ConditionalAccessPolicy {
  const key = parseKey(segment);
  const policy = key.kind === 'id' ? tenant.conditionalAccessPolicies.visible(key.value.toLowerCase()) : undefined;
  if (!policy) throw graphErrors.notFound(key.value);
  return policy;
}

/**
 * A tenant without any Entra ID license: what the real API answers to a conditional access write is not known
 * to us (UNCONFIRMED), so the emulator says it does not model it rather than guess. Reads still work.
 */
function requireLicense(tenant: Tenant): void {
  if (tenant.licenseLevel.p1) return;
  throw new GraphFault(
    501,
    'NotImplemented',
    'The tenantform emulator does not implement conditional access policy writes in a tenant without an Entra ID P1 license (AAD_PREMIUM): ' +
      "the real service's answer is not modelled. Reads still work. Give the local tenant a license with the licenses option or TENANTFORM_EMULATOR_LICENSES.",
  );
}

/** POST → 201 + the whole policy as Graph returns it (docs sample: modifiedDateTime null, every collection present). */
function createPolicy(ctx: GraphCtx): EmuResponse {
  const tenant = ctx.env.tenant;
  requireLicense(tenant);
  const body = checkSchema(ctx);
  // displayName and state are `(not null)` in the schema and have no default: a body without them does not
  // match it. The conditional access API's answer for a missing one is UNCONFIRMED (1007 chosen).
  if (typeof body.displayName !== 'string' || body.displayName.trim() === '' || body.state === undefined) throw graphErrors.caSchema();
  // No conditions at all: the first rule it breaks is the application rule (UNCONFIRMED which error comes first).
  if (body.conditions === undefined) throw graphErrors.caNoApplications();
  const policy: ConditionalAccessPolicy = {
    id: randomUUID(),
    templateId: null,
    displayName: body.displayName,
    description: (body.description as string | null | undefined) ?? null,
    createdDateTime: new Date(ctx.env.clock.now()).toISOString(),
    modifiedDateTime: null,
    state: body.state as ConditionalAccessPolicy['state'],
    sessionControls: sessionControls(body.sessionControls),
    conditions: normalize('conditionalAccessConditionSet', body.conditions as Record<string, unknown>),
    grantControls: body.grantControls == null ? null : normalize('conditionalAccessGrantControls', body.grantControls as Record<string, unknown>),
  };
  checkPolicy(tenant, policy, true);
  tenant.conditionalAccessPolicies.create(policy);
  return entityResponse(ctx, ENTITY_SET, TYPE, policy, 201);
}

/**
 * PATCH → 204. Each top-level property given replaces the stored one as a whole (sending `conditions` replaces
 * all of the conditions; an omitted one is kept). `id`, `createdDateTime`, `modifiedDateTime` (and `templateId`,
 * `deletedDateTime`) are read-only and ignored; modifiedDateTime becomes now.
 */
function updatePolicy(ctx: GraphCtx): EmuResponse {
  const tenant = ctx.env.tenant;
  requireLicense(tenant);
  const found = findPolicy(tenant, ctx.params.id);
  const body = checkSchema(ctx);
  const current = tenant.conditionalAccessPolicies.master(found.id!);
  if (!current) throw graphErrors.notFound(found.id!);
  const next: ConditionalAccessPolicy = { ...current };
  if ('displayName' in body) {
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '') throw graphErrors.caSchema();
    next.displayName = body.displayName;
  }
  if ('description' in body) next.description = (body.description as string | null) ?? null;
  if ('state' in body) next.state = body.state as ConditionalAccessPolicy['state'];
  if ('conditions' in body) next.conditions = normalize('conditionalAccessConditionSet', body.conditions as Record<string, unknown>);
  if ('grantControls' in body) {
    next.grantControls = body.grantControls === null ? null : normalize('conditionalAccessGrantControls', body.grantControls as Record<string, unknown>);
  }
  if ('sessionControls' in body) next.sessionControls = sessionControls(body.sessionControls);
  checkPolicy(tenant, next, 'conditions' in body);
  next.modifiedDateTime = new Date(ctx.env.clock.now()).toISOString();
  tenant.conditionalAccessPolicies.update(next);
  return noContent();
}

// ---------------------------------------------------------------- the schema (1007)

type Json = Record<string, unknown>;
const TYPES = appTypes.types as Record<string, { kind: string }>;
const ENUMS = appTypes.enums as Record<string, string[]>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The body against the v1.0 schema of conditionalAccessPolicy (validate-body.ts: unknown properties, wrong JSON
 * kinds, nulls where the type forbids them such as `conditions: null`, enum members): any mismatch is the
 * conditional access API's 1007. Parts the emulator does not model answer 501 first.
 */
function checkSchema(ctx: GraphCtx): Json {
  const raw = ctx.req.body;
  if (!isObject(raw)) throw graphErrors.caSchema();
  const body = structuredClone(raw);
  unmodelled(body);
  try {
    validateBody(TYPE, body);
  } catch (e) {
    if (e instanceof GraphFault && e.status === 400) throw graphErrors.caSchema();
    throw e;
  }
  if (isObject(body.grantControls)) checkGrantControls(body.grantControls, preferUnknownMembers(ctx));
  return body;
}

/**
 * Valid in Graph but not modelled here (they name objects the emulator does not have), so 501 rather than a
 * guessed answer: authentication strengths, workload-identity conditions (clientApplications, which need a
 * Workload Identities Premium license), and external-tenant lists of guest conditions. `authenticationStrength:
 * null` is what a client copying a policy it read sends back, and is dropped.
 */
function unmodelled(body: Json): void {
  const notModelled = (what: string) => graphErrors.notImplemented(`${what} in conditional access policies`);
  if (isObject(body.grantControls)) {
    if (body.grantControls.authenticationStrength != null) throw notModelled('grantControls.authenticationStrength (authentication strengths)');
    delete body.grantControls.authenticationStrength;
  }
  const conditions = isObject(body.conditions) ? body.conditions : {};
  if (conditions.clientApplications != null) throw notModelled('conditions.clientApplications (workload identities)');
  const users = isObject(conditions.users) ? conditions.users : {};
  for (const k of ['includeGuestsOrExternalUsers', 'excludeGuestsOrExternalUsers']) {
    const g = users[k];
    if (isObject(g) && g.externalTenants != null) throw notModelled(`conditions.users.${k}.externalTenants`);
  }
}

/**
 * `Prefer: include-unknown-enum-members` unlocks the members of an evolvable enum listed after
 * unknownFutureValue (https://learn.microsoft.com/graph/best-practices-concept#handling-future-members-in-evolvable-enumerations).
 */
function preferUnknownMembers(ctx: GraphCtx): boolean {
  return String(ctx.req.headers.prefer ?? '')
    .toLowerCase()
    .includes('include-unknown-enum-members');
}

/** builtInControls: one conditionalAccessGrantControl member per item; operator AND or OR (1007 otherwise, UNCONFIRMED for the operator). */
function checkGrantControls(grant: Json, unknownMembers: boolean): void {
  const all = ENUMS.conditionalAccessGrantControl;
  const members = unknownMembers ? all : all.slice(0, all.indexOf('unknownFutureValue') + 1);
  for (const c of (grant.builtInControls as unknown[] | null | undefined) ?? []) {
    if (typeof c !== 'string' || !members.some((m) => m.toLowerCase() === c.toLowerCase())) throw graphErrors.caSchema();
  }
  if (typeof grant.operator !== 'string' || !['and', 'or'].includes(grant.operator.toLowerCase())) throw graphErrors.caSchema();
}

/**
 * A value as Graph returns it: every property of its type present, collections `[]` and everything else `null`
 * when not given (the docs' 201 sample), nested complex values the same way. Annotations are dropped.
 */
function normalize(typeName: string, value: Json): Json {
  const out: Json = {};
  for (const [name, raw] of Object.entries(typeProperties(typeName))) {
    const ref = parseTypeRef(raw);
    const v = value[name];
    if (ref.collection) out[name] = v == null ? [] : structuredClone(v);
    else if (v == null) out[name] = null;
    else if (TYPES[ref.name]?.kind === 'ComplexType' && isObject(v)) out[name] = normalize(ref.name, v);
    else out[name] = v;
  }
  return out;
}

/**
 * sessionControls with no effective setting (every control null, disableResilienceDefaults not true) read back
 * as `null`: "the API condenses it to `sessionControls: null` in the response" (terraform-provider-azuread,
 * conditional_access_policy_resource.go).
 */
function sessionControls(value: unknown): ConditionalAccessPolicy['sessionControls'] {
  if (!isObject(value)) return null;
  const s = normalize('conditionalAccessSessionControls', value);
  const effective = Object.entries(s).some(([k, v]) => (k === 'disableResilienceDefaults' ? v === true : v !== null));
  return effective ? s : null;
}

// ---------------------------------------------------------------- the policy rules

const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

/** Keywords of includeApplications/excludeApplications besides appIds (conditionalAccessApplications; microsoft-graph-docs-contrib#2046). */
const APP_KEYWORDS = ['all', 'none', 'office365', 'microsoftadminportals'];
/** Keywords of includeUsers/excludeUsers besides user object ids (conditionalAccessUsers). */
const USER_KEYWORDS = ['all', 'none', 'guestsorexternalusers'];

/**
 * What a valid policy needs (conditionalaccessroot-post-policies: "at least one application rule, one user rule
 * and a grant or session control"), the license its conditions need, and the objects it names. `conditionsGiven`:
 * the request carries conditions (POST, or a PATCH of them), so their references and licenses are checked.
 */
function checkPolicy(tenant: Tenant, policy: ConditionalAccessPolicy, conditionsGiven: boolean): void {
  const c = (policy.conditions ?? {}) as Json;
  const apps = (isObject(c.applications) ? c.applications : {}) as Json;
  const users = (isObject(c.users) ? c.users : {}) as Json;
  if (conditionsGiven) checkP2(tenant, c);
  if (!nonEmpty(apps.includeApplications) && !nonEmpty(apps.includeUserActions) && !nonEmpty(apps.includeAuthenticationContextClassReferences)) {
    throw graphErrors.caNoApplications();
  }
  if (!nonEmpty(users.includeUsers) && !nonEmpty(users.includeGroups) && !nonEmpty(users.includeRoles) && users.includeGuestsOrExternalUsers == null) {
    // UNCONFIRMED text: modelled on 1011's wording, without a number (the real one is not known).
    throw graphErrors.caBadRequest("'users' condition must specify the users, groups or roles to include. Try 'includeUsers' = ['none'] to start with.");
  }
  const grant = (policy.grantControls ?? null) as Json | null;
  const granted = grant !== null && (nonEmpty(grant.builtInControls) || nonEmpty(grant.termsOfUse) || nonEmpty(grant.customAuthenticationFactors));
  if (!granted && policy.sessionControls == null) {
    // UNCONFIRMED text.
    throw graphErrors.caBadRequest(
      "The policy must specify grant controls or session controls. Try 'grantControls' = {'operator': 'OR', 'builtInControls': ['mfa']} to start with.",
    );
  }
  if (!conditionsGiven) return;
  for (const prop of ['includeApplications', 'excludeApplications']) {
    for (const v of (apps[prop] as string[] | undefined) ?? []) checkApplication(tenant, prop, v);
  }
  for (const prop of ['includeUsers', 'excludeUsers']) {
    for (const v of (users[prop] as string[] | undefined) ?? []) {
      // The emulator has no users: any GUID is taken as a user object id.
      if (!USER_KEYWORDS.includes(v.toLowerCase()) && !isGuid(v)) {
        throw graphErrors.caBadRequest(`'${v}' is not a valid value of '${prop}': use 'All', 'None', 'GuestsOrExternalUsers' or a user's object id.`); // UNCONFIRMED text
      }
    }
  }
  for (const prop of ['includeGroups', 'excludeGroups', 'includeRoles', 'excludeRoles']) {
    for (const v of (users[prop] as string[] | undefined) ?? []) {
      // Groups and directory roles are not modelled: any GUID is accepted.
      if (!isGuid(v)) throw graphErrors.caBadRequest(`'${v}' is not a valid value of '${prop}': it takes object ids (GUIDs).`); // UNCONFIRMED text
    }
  }
}

/**
 * An application entry: a keyword, or the appId of a service principal of this tenant that conditional access
 * can see. A display name fails (Microsoft365DSC#5390). A service principal created less than the replication
 * lag ago is not visible to conditional access yet (terraform-provider-azuread PR #1047) and fails like an
 * unknown one. Both texts are UNCONFIRMED (code BadRequest as the API's other refusals).
 */
function checkApplication(tenant: Tenant, prop: string, value: string): void {
  if (APP_KEYWORDS.includes(value.toLowerCase())) return;
  if (!isGuid(value)) {
    throw graphErrors.caBadRequest(
      `'${value}' is not a valid application id in '${prop}': use 'All', 'None', 'Office365', 'MicrosoftAdminPortals' or the appId (a GUID) of a service principal in the tenant, not a display name.`,
    );
  }
  if (!tenant.servicePrincipals.byAppId(value)) {
    throw graphErrors.caBadRequest(`Application with id '${value}' not found: '${prop}' needs the appId of a service principal in the tenant.`);
  }
}

/**
 * Risk-based conditions need Entra ID P2: 1039 in a tenant without AAD_PREMIUM_P2 (crossplane-contrib/provider-upjet-azuread#5).
 * servicePrincipalRiskLevels really needs Workload Identities Premium; the emulator asks for P2 like the others.
 */
function checkP2(tenant: Tenant, conditions: Json): void {
  const p2 =
    nonEmpty(conditions.userRiskLevels) ||
    nonEmpty(conditions.signInRiskLevels) ||
    nonEmpty(conditions.servicePrincipalRiskLevels) ||
    (typeof conditions.insiderRiskLevels === 'string' && conditions.insiderRiskLevels !== '');
  if (p2 && !tenant.licenseLevel.p2) throw graphErrors.caP2();
}
