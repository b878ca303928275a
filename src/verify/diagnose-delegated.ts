import type { LiveState } from '../model/live.js';
import { grantCovers, type DelegatedGrant, type DelegatedLeg, type DelegatedProbe, type MfaPolicy } from './delegated.js';
import { tokenFailure, type DiagnoseContext } from './diagnose.js';
import type { Probe } from './probes.js';
import type { DelegatedOutcome } from './user-token.js';
import type { Diagnosis } from './types.js';

/**
 * The next step for each usual failure of a delegated chain (src/verify/run-delegated.ts). As diagnose.ts: keyed on
 * the AADSTS number of `error_codes` (https://learn.microsoft.com/entra/identity-platform/reference-error-codes),
 * never on the description. Codes both legs share with the client-credentials probe (secret expired or invalid,
 * client or API not in the tenant, certificate refused) are diagnosed by diagnose.ts's tokenFailure.
 */
export interface DelegatedDiagnoseContext extends DiagnoseContext {
  upn: string;
  live: LiveState;
  /** --tenant local: test users come from `tenantform emulator --user`. */
  local: boolean;
}

/** The env var verify reads the user's password from (never a flag: it would sit in shell history and `ps`). */
export const PASSWORD_ENV = 'TENANTFORM_VERIFY_PASSWORD';

const apply = (ctx: DiagnoseContext) => `tenantform apply ${ctx.manifests}`;

export function delegatedFailure(
  probe: DelegatedProbe,
  leg: DelegatedLeg,
  which: 'user' | 'obo',
  o: Extract<DelegatedOutcome, { ok: false }>,
  ctx: DelegatedDiagnoseContext,
): Diagnosis {
  const code = o.codes[0];
  const meta: Record<string, unknown> = { aadsts: code, error: o.error, status: o.status, ...(o.suberror ? { suberror: o.suberror } : {}) };
  const who = ctx.upn;
  switch (code) {
    case 65001:
      return consentMissing(probe, leg, which, meta, ctx);
    case 50126:
      return {
        code: 'wrong-password',
        problem: `Entra refused the password of ${who} (AADSTS50126: invalid username or password).`,
        next: `Set ${PASSWORD_ENV} to ${who}'s password and re-run verify (the password grant takes cloud-only accounts; a federated or passwordless user cannot sign in with it).`,
        meta,
      };
    case 50034:
      return {
        code: 'user-not-found',
        problem: `Tenant ${ctx.tenantId} has no user ${who} (AADSTS50034).`,
        next: ctx.local
          ? `Add a test user to the local tenant — \`tenantform emulator --user ${who.split('@')[0]}:<password>\` in this folder (it keeps the user in .tenantform/'s state) or POST /users — then re-run verify with --user and ${PASSWORD_ENV}.`
          : `Pass --user the userPrincipalName of a member of tenant ${ctx.tenantId} (verify signs in as that user).`,
        meta,
      };
    case 50057:
    case 50055:
    case 50053:
    case 50173:
      return {
        code: 'user-blocked',
        problem: `${who} cannot sign in with a password (AADSTS${code}: ${o.description}).`,
        next: `Use an enabled account whose password is current (not expired, not locked), then re-run verify.`,
        meta,
      };
    case 50076:
    case 50079:
      if (which === 'user') return mfaAtSignIn(probe, meta, ctx);
      break;
    case 7000218:
      return {
        code: 'client-not-confidential',
        problem: `The token endpoint wanted a client credential from ${probe.label} (AADSTS7000218) and got none it accepts.`,
        next: `Check the secret or certificate in ${probe.credential?.source ?? 'the written config'}; \`${apply(ctx)}\` writes it.`,
        meta,
      };
    case 700025:
      return {
        code: 'client-not-confidential',
        problem: `${probe.label} is registered as a public client, so Entra refuses its credential (AADSTS700025).`,
        next: `A middle tier is a confidential client: remove isFallbackPublicClient: true from ${probe.label} in the manifest and run \`${apply(ctx)}\`.`,
        meta,
      };
  }
  return tokenFailure(asProbe(probe, leg), o, ctx);
}

function consentMissing(
  probe: DelegatedProbe,
  leg: DelegatedLeg,
  which: 'user' | 'obo',
  meta: Record<string, unknown>,
  ctx: DelegatedDiagnoseContext,
): Diagnosis {
  const apiName = leg.api.key ?? leg.api.label;
  const scopes = leg.scopes.join(', ');
  const wanted: DelegatedGrant = leg.grant ?? { client: probe.label, api: apiName, scopes: leg.scopes, adminConsent: false, userConsent: [] };
  const grant = `permissions: [{ api: ${apiName}, scopes: [${leg.scopes.join(', ')}], adminConsent: true }] of ${probe.label}`;
  const covered = grantCovers(leg.grant, ctx.upn, ctx.live);
  const problem = `${probe.label} holds no consent to act for ${ctx.upn} on ${leg.api.label} (${scopes}) in tenant ${ctx.tenantId} (AADSTS65001 consent_required)${
    which === 'obo' ? ': the On-Behalf-Of exchange needs the middle tier’s own grant on the downstream API' : ''
  }.`;
  const next = covered
    ? `The manifest grants it (${leg.grant!.adminConsent ? 'adminConsent: true' : `userConsent: [${ctx.upn}]`}) but the tenant does not hold it: re-run \`${apply(ctx)}\`, then verify again.`
    : leg.grant
      ? `The manifest consents only for ${leg.grant.userConsent.join(', ')}: add ${ctx.upn} to userConsent of the permission on ${apiName} of ${probe.label}, or set adminConsent: true, and run \`${apply(ctx)}\`.`
      : `Grant it in the manifest — ${grant} (or userConsent: [${ctx.upn}] for that user only) — and run \`${apply(ctx)}\`.${
          which === 'user'
            ? ' (The middle tier asks for its own scopes here; whether Entra needs that grant for an app calling itself is UNCONFIRMED — the local tenant does.)'
            : ''
        }`;
  return { code: 'consent-missing', problem, next, meta: { ...meta, grant: wanted } };
}

function mfaAtSignIn(probe: DelegatedProbe, meta: Record<string, unknown>, ctx: DelegatedDiagnoseContext): Diagnosis {
  const named = probe.ownMfaPolicies.map((p) => `'${p.displayName}'`).join(', ');
  return {
    code: 'mfa-at-sign-in',
    problem: `Conditional access requires MFA for ${ctx.upn} to sign in to ${probe.label} itself (AADSTS${String(meta.aadsts)}${named ? `; the manifests' ${named}` : ''}): the password grant cannot do MFA, so verify cannot prove this chain with a password.`,
    next: `Verify with a test user the policy does not target (users.exclude of the policy), or prove the chain interactively through the app's own sign-in (a browser, with MFA).`,
    meta: { ...meta, policies: probe.ownMfaPolicies.map((p) => p.key) },
  };
}

/** The claims challenge met no enabled MFA policy of the manifests: something else protects the API. */
export function unexpectedChallenge(
  probe: DelegatedProbe,
  leg: DelegatedLeg & { mfaPolicies: MfaPolicy[] },
  policyIds: string[],
  code: number | undefined,
): Diagnosis {
  const reportOnly = leg.mfaPolicies.filter((p) => p.state === 'enabledForReportingButNotEnforced');
  const ids = policyIds.length ? ` (capolids ${policyIds.join(', ')})` : '';
  return {
    code: 'conditional-access-unexpected',
    problem: `The On-Behalf-Of exchange of ${probe.label} for ${leg.api.label} met a conditional access claims challenge (AADSTS${code ?? '?'})${ids}, but no enabled policy of the manifests requires MFA on ${leg.api.label}.`,
    next: reportOnly.length
      ? `The manifests keep ${reportOnly.map((p) => `'${p.displayName}'`).join(', ')} report-only while the tenant enforces one: \`tenantform plan\` shows the drift; set state: enabled if it is meant to be enforced, and make the middle tier pass the claims challenge back to its client.`
      : `A policy outside the manifests targets ${leg.api.label}${ids}: add it to conditionalAccessPolicies (or exclude the API from it), and make the middle tier pass the claims challenge back to its client (https://learn.microsoft.com/entra/identity-platform/claims-challenge).`,
    meta: { aadsts: code, policyIds },
  };
}

/** The leg as diagnose.ts's Probe, for the failures both kinds of probe share. */
function asProbe(probe: DelegatedProbe, leg: DelegatedLeg): Probe {
  return {
    client: { label: probe.label, stack: probe.stack, key: probe.key, appId: probe.appId, displayName: probe.label },
    api: leg.api,
    roles: [],
    consented: false,
    assignedInGraph: [],
    scope: { value: leg.request.map((r) => r.value).join(' '), source: leg.request[0]?.source ?? 'computed' },
    credential: probe.credential,
    written: { clientId: probe.written.clientId, clientIdSource: probe.written.clientIdSource, authority: probe.written.authority },
    missingConfig: probe.missingConfig,
  };
}
