import type { ConditionalAccessPolicy } from '@microsoft/microsoft-graph-types';
import { paths } from '../graph/paths.js';
import { listAll } from '../graph/list.js';
import { POLICY_READ_NEEDS } from '../graph/policies.js';
import { policyMarker } from '../model/policies.js';
import type { Change } from '../plan/types.js';
import { call, fillPlaceholders, type ApplyContext, lookUp } from './context.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

const POLICY_WRITE = ['Policy.ReadWrite.ConditionalAccess (plus Policy.Read.All or Application.Read.All)'] as const;

/** `policy:<stack>/<key>` → its parts. */
function split(ref: string): { stack: string; key: string } {
  const [stack, key] = ref.slice('policy:'.length).split('/');
  return { stack, key };
}

/**
 * POST /identity/conditionalAccess/policies → 201 (https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies).
 * Not idempotent and the policy has no alternate key: before a retry, look for our marker, so an attempt that
 * did reach Graph is not created twice. Conditional access sees new applications later than Graph does
 * (hashicorp/terraform-provider-azuread PR #1047): the 400 until then is retried by the retry table.
 */
export async function createPolicy(ctx: ApplyContext, c: Of<'create-conditional-access-policy'>): Promise<void> {
  const { stack, key } = split(c.policy);
  const marker = policyMarker(stack, key);
  const reconcile = async () => {
    const res = await lookUp(ctx, paths.conditionalAccessPolicies, `create conditional access policy ${key}`);
    if (res.status !== 200) return undefined;
    const all = await listAll<ConditionalAccessPolicy>(ctx.transport, res, 'list conditional access policies', POLICY_READ_NEEDS);
    const found = all.find((p) => p.description === marker || p.description?.startsWith(`${marker} `));
    return found ? { status: 201, headers: {}, body: found } : undefined;
  };
  await call(
    ctx,
    'create-policy',
    { method: 'POST', path: paths.conditionalAccessPolicies, body: fillPlaceholders(ctx, null, c.after) },
    { action: `create conditional access policy "${c.displayName}"`, needs: POLICY_WRITE, reconcile },
  );
}

/** PATCH → 204; `conditions` and `grantControls` are sent whole, since PATCH replaces each as a whole. */
export async function updatePolicy(ctx: ApplyContext, c: Of<'update-conditional-access-policy'>): Promise<void> {
  await call(
    ctx,
    'write-policy',
    { method: 'PATCH', path: paths.conditionalAccessPolicy(c.policyId), body: fillPlaceholders(ctx, null, c.after) },
    { action: `update conditional access policy "${c.displayName}"`, needs: POLICY_WRITE },
  );
}

export async function deletePolicy(ctx: ApplyContext, c: Of<'delete-conditional-access-policy'>): Promise<void> {
  await call(
    ctx,
    'delete',
    { method: 'DELETE', path: paths.conditionalAccessPolicy(c.policyId) },
    { action: `delete conditional access policy "${c.displayName}"`, needs: POLICY_WRITE, ok: (r) => r.status === 404 },
  );
}
