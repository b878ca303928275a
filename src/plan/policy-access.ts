/**
 * Before any write: can this identity manage conditional access in this tenant at all? Graph would answer the
 * policy write — the last wave — with 403 or a license refusal after everything else was written, so the plan
 * refuses first, with the next step. Needs: Policy.Read.All + Policy.ReadWrite.ConditionalAccess
 * (https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies) and Entra ID P1
 * (https://learn.microsoft.com/entra/identity/conditional-access/overview#license-requirements).
 */
import { TenantformError } from '../errors.js';
import type { LiveState } from '../model/live.js';
import type { TokenPermissions } from '../model/snapshot.js';
import type { Change } from './types.js';
import type { PlanStack } from './input.js';

const WRITE = 'Policy.ReadWrite.ConditionalAccess';
const APP_READ = ['Application.Read.All', 'Application.ReadWrite.All'];
const GRANT_STEP =
  'Grant the identity Policy.Read.All, Policy.ReadWrite.ConditionalAccess and Application.Read.All (application permissions, with admin consent), or sign in as a user with the Conditional Access Administrator role, then re-run.';

/** Throws when the stacks' policies cannot be managed; returns warnings for what could not be checked. */
export function checkPolicyAccess(stacks: PlanStack[], live: LiveState, changes: readonly Change[], permissions?: TokenPermissions): string[] {
  const declaring = stacks.filter((s) => s.policies.length);
  const policyChanges = changes.filter((c) => c.action.endsWith('-conditional-access-policy'));
  const warnings: string[] = [];
  if (declaring.length) {
    const names = declaring.map((s) => `"${s.name}" (${s.policies.length})`).join(', ');
    const ca = live.conditionalAccess;
    if (ca && 'refused' in ca) {
      throw new TenantformError(
        'GRAPH_PERMISSION',
        `Cannot read the tenant's conditional access policies (Microsoft Graph answered ${ca.refused.status} ${ca.refused.code}), and stack ${names} declares policies. ${GRANT_STEP}`,
        { status: ca.refused.status, graphCode: ca.refused.code, needs: ['Policy.Read.All', WRITE] },
      );
    }
    const premium = live.premium;
    if (premium && 'refused' in premium) {
      warnings.push(
        `Could not check the tenant's licenses (GET /subscribedSkus answered ${premium.refused.status} ${premium.refused.code}; it needs Organization.Read.All): conditional access needs Microsoft Entra ID P1, and Graph refuses the policy writes without it.`,
      );
    } else if (premium && !premium.p1) {
      throw new TenantformError(
        'LICENSE_REQUIRED',
        `Tenant ${live.tenant.id} has no Microsoft Entra ID P1 or P2 license, which conditional access requires (https://learn.microsoft.com/entra/identity/conditional-access/overview#license-requirements), and stack ${names} declares policies. Start a P1 trial or buy a license in the admin center, or remove conditionalAccessPolicies from the manifest, then re-run.`,
        { tenantId: live.tenant.id },
      );
    }
  }
  // App-only writes need Application.Read.All too (https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies;
  // a token with Policy.ReadWrite.ConditionalAccess + Policy.Read.All alone is refused: hashicorp/terraform-provider-azuread#1687).
  const appRead = permissions?.kind !== 'application' || permissions.values.some((v) => APP_READ.includes(v));
  if (policyChanges.length && permissions && (!permissions.values.includes(WRITE) || !appRead)) {
    const has = permissions.kind === 'application' ? 'application permissions (roles)' : 'delegated scopes (scp)';
    throw new TenantformError(
      'GRAPH_PERMISSION',
      `The plan changes ${policyChanges.length} conditional access ${policyChanges.length === 1 ? 'policy' : 'policies'}, but the signed-in identity's token lacks ${permissions.values.includes(WRITE) ? 'Application.Read.All' : WRITE} among its ${has}. ${GRANT_STEP}`,
      { needs: [WRITE, 'Application.Read.All'] },
    );
  }
  return warnings;
}
