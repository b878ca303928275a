import type { ConditionalAccessPolicy } from '@microsoft/microsoft-graph-types';
import type { Tenant } from '../store/index.js';
import { MICROSOFT_GRAPH_APP_ID } from '../seed.js';
import type { OAuthFault } from '../errors.js';
import { LoginNotImplemented } from './not-implemented.js';
import { userFlowErrors } from './oauth-errors.js';

/**
 * Conditional access evaluation at token issuance for a user (https://learn.microsoft.com/entra/identity/conditional-access/overview),
 * one function for every user flow: the password grant now; the authorize endpoint (which can run the MFA step),
 * refresh and On-Behalf-Of next. The policies are the tenant's (GET/POST /identity/conditionalAccess/policies) as
 * a replica sees them: a policy created a moment ago is not enforced yet.
 *
 * Which policies apply: `state: enabled` only (report-only `enabledForReportingButNotEnforced` and `disabled` never
 * enforce); `conditions.applications` includes the resource's appId or `All` and does not exclude it (or the request
 * asks for an authentication context the policy targets); `conditions.users` includes `All` or the user's id and does
 * not exclude it (the emulator has no groups, roles or guests: a policy only by group, role or guest condition never
 * applies); `conditions.clientAppTypes` is empty, `all`, or names the flow's client app type.
 *
 * Conditions the emulator cannot evaluate (locations, platforms, device filters, risk levels, application filters,
 * authentication flows) on a policy that otherwise applies answer 501, never a guess.
 */

/**
 * Conditional access's client app types (conditionalAccessClientApp). Modern-authentication clients are `browser`
 * (the authorize endpoint in a browser) and `mobileAppsAndDesktopClients` (native clients: the password grant, device
 * code); `exchangeActiveSync` and `other` are legacy protocols the emulator does not serve.
 */
export type ClientAppType = 'browser' | 'mobileAppsAndDesktopClients' | 'exchangeActiveSync' | 'other';

/** What a user sign-in brings to the evaluation. */
export interface SignInFacts {
  userId: string;
  /** appId of the resource the token is for. */
  resourceAppId: string;
  clientAppType: ClientAppType;
  /** The authentication included multi-factor (the `mfa` amr). */
  mfaDone: boolean;
  /** The user has an MFA method registered (decides between AADSTS50076 and AADSTS50079). */
  userHasMfaMethod: boolean;
  /** Authentication context ids the client asks for (claims `acrs`), e.g. `c1`. */
  requestedAuthContexts?: string[];
}

export type CaDecision =
  /** Token may be issued; `authContexts` are the requested contexts now satisfied (the `acrs` claim). */
  | { kind: 'allow'; authContexts: string[]; appliedPolicyIds: string[] }
  /** A policy blocks (grant control `block`): AADSTS53003. */
  | { kind: 'block'; policyIds: string[] }
  /** Policies need MFA, which this authentication did not do: AADSTS50076 (or 50079 without an MFA method). */
  | { kind: 'mfa'; policyIds: string[]; enrollmentRequired: boolean }
  /** A grant control the emulator cannot satisfy (devices, managed apps, terms of use, …). */
  | { kind: 'unsatisfiable'; policyIds: string[]; control: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const has = (values: string[], x: string) => values.some((v) => v.toLowerCase() === x.toLowerCase());

/** Grant controls with the AADSTS code that says the emulator's sign-in cannot meet them (ca faults). */
const UNSATISFIABLE_CODES: Record<string, 53000 | 53001 | 53002> = { compliantDevice: 53000, domainJoinedDevice: 53001, approvedApplication: 53002 };

export function evaluateConditionalAccess(tenant: Tenant, facts: SignInFacts): CaDecision {
  const contexts = facts.requestedAuthContexts ?? [];
  const applying = tenant.conditionalAccessPolicies.list().filter((p) => p.state === 'enabled' && applies(p, facts, contexts));
  const blocking: string[] = [];
  const needMfa: string[] = [];
  let unsatisfiable: { policyId: string; control: string } | undefined;
  for (const policy of applying) {
    const outcome = grantOutcome(policy, facts.mfaDone);
    if (outcome === 'ok') continue;
    if (outcome === 'block') blocking.push(policy.id!);
    else if (outcome === 'mfa') needMfa.push(policy.id!);
    else unsatisfiable ??= { policyId: policy.id!, control: outcome.control };
  }
  if (blocking.length > 0) return { kind: 'block', policyIds: blocking };
  if (needMfa.length > 0) return { kind: 'mfa', policyIds: needMfa, enrollmentRequired: !facts.userHasMfaMethod };
  if (unsatisfiable) return { kind: 'unsatisfiable', policyIds: [unsatisfiable.policyId], control: unsatisfiable.control };
  // A requested context is satisfied when every enabled policy targeting it is (one no policy targets counts as
  // satisfied: UNCONFIRMED).
  return { kind: 'allow', authContexts: [...new Set(contexts)], appliedPolicyIds: applying.map((p) => p.id!) };
}

/** The token endpoint's answer to a decision that is not `allow`. */
export function conditionalAccessFault(decision: Exclude<CaDecision, { kind: 'allow' }>, resourceAppId: string): OAuthFault | LoginNotImplemented {
  switch (decision.kind) {
    case 'block':
      return userFlowErrors.blockedByConditionalAccess(decision.policyIds);
    case 'mfa':
      return decision.enrollmentRequired
        ? userFlowErrors.mfaEnrollmentRequired(resourceAppId, decision.policyIds)
        : userFlowErrors.mfaRequired(resourceAppId, decision.policyIds);
    case 'unsatisfiable': {
      const code = UNSATISFIABLE_CODES[decision.control];
      if (code) return userFlowErrors.controlNotSatisfiable(code, decision.policyIds);
      return new LoginNotImplemented(`the conditional access grant control '${decision.control}' (policy ${decision.policyIds.join(', ')})`);
    }
  }
}

/** Evaluate and throw the fault of anything but `allow`; returns the satisfied authentication contexts. */
export function requireConditionalAccess(tenant: Tenant, facts: SignInFacts): Extract<CaDecision, { kind: 'allow' }> {
  const decision = evaluateConditionalAccess(tenant, facts);
  if (decision.kind !== 'allow') throw conditionalAccessFault(decision, facts.resourceAppId);
  return decision;
}

// ---------------------------------------------------------------- conditions

function applies(policy: ConditionalAccessPolicy, facts: SignInFacts, contexts: string[]): boolean {
  const c = (policy.conditions ?? {}) as Json;
  if (!targetsResource(policy, c, facts.resourceAppId, contexts)) return false;
  if (!targetsUser(c, facts.userId)) return false;
  const types = list(c.clientAppTypes);
  if (types.length > 0 && !has(types, 'all') && !has(types, facts.clientAppType)) return false;
  unmodelledConditions(policy, c);
  return true;
}

function targetsResource(policy: ConditionalAccessPolicy, c: Json, resourceAppId: string, contexts: string[]): boolean {
  const apps = isObject(c.applications) ? c.applications : {};
  const contextRefs = list(apps.includeAuthenticationContextClassReferences);
  if (contextRefs.some((ref) => has(contexts, ref))) return true;
  const include = list(apps.includeApplications);
  if (has(list(apps.excludeApplications), resourceAppId) || has(list(apps.excludeApplications), 'All')) return false;
  if (apps.applicationFilter != null) throw notModelled(policy, 'conditions.applications.applicationFilter');
  if (has(include, 'All') || has(include, resourceAppId)) return true;
  // The Office 365 app group: custom applications are never in it; whether it covers Microsoft Graph is not known to us.
  if (has(include, 'Office365') && resourceAppId.toLowerCase() === MICROSOFT_GRAPH_APP_ID)
    throw notModelled(policy, "includeApplications 'Office365' for Microsoft Graph");
  return false;
}

function targetsUser(c: Json, userId: string): boolean {
  const users = isObject(c.users) ? c.users : {};
  if (has(list(users.excludeUsers), userId)) return false;
  const include = list(users.includeUsers);
  // Test users are members of the tenant, in no group and no directory role: group, role and guest rules never match.
  return has(include, 'All') || has(include, userId);
}

/** Conditions on the sign-in the emulator has no value for: 501 rather than a guess either way. */
function unmodelledConditions(policy: ConditionalAccessPolicy, c: Json): void {
  const present: Array<[string, boolean]> = [
    ['conditions.locations', c.locations != null],
    ['conditions.platforms', c.platforms != null],
    ['conditions.devices', c.devices != null],
    ['conditions.signInRiskLevels', list(c.signInRiskLevels).length > 0],
    ['conditions.userRiskLevels', list(c.userRiskLevels).length > 0],
    ['conditions.servicePrincipalRiskLevels', list(c.servicePrincipalRiskLevels).length > 0],
    ['conditions.insiderRiskLevels', typeof c.insiderRiskLevels === 'string' && c.insiderRiskLevels !== ''],
    ['conditions.authenticationFlows', c.authenticationFlows != null],
  ];
  const found = present.find(([, p]) => p);
  if (found) throw notModelled(policy, found[0]);
}

function notModelled(policy: ConditionalAccessPolicy, what: string): LoginNotImplemented {
  return new LoginNotImplemented(`evaluating ${what} of conditional access policy ${policy.id} at sign-in`);
}

// ---------------------------------------------------------------- grant controls

/**
 * `ok`, `block`, `mfa` (MFA would satisfy it, or is what it asks first), or an unsatisfiable control. Operator AND:
 * every control; OR: any. `mfa` is the only control a user can satisfy here; device and app controls, terms of use,
 * password change and custom factors never are. A policy with only session controls grants.
 */
function grantOutcome(policy: ConditionalAccessPolicy, mfaDone: boolean): 'ok' | 'block' | 'mfa' | { control: string } {
  const g = (policy.grantControls ?? null) as Json | null;
  if (!g) return 'ok';
  const controls = [
    ...list(g.builtInControls),
    ...list(g.termsOfUse).map(() => 'termsOfUse'),
    ...list(g.customAuthenticationFactors).map(() => 'customAuthenticationFactors'),
  ];
  if (controls.length === 0) return 'ok';
  if (has(controls, 'block')) return 'block';
  const satisfied = (ctrl: string) => ctrl.toLowerCase() === 'mfa' && mfaDone;
  const and = String(g.operator ?? 'OR').toUpperCase() === 'AND';
  const met = and ? controls.every(satisfied) : controls.some(satisfied);
  if (met) return 'ok';
  if (!mfaDone && has(controls, 'mfa')) return 'mfa';
  const first = controls.find((ctrl) => !satisfied(ctrl))!;
  return { control: first };
}
