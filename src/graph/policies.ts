/**
 * Reading conditional access for plan and destroy: the policies tenantform marked (model/policies.ts) and whether
 * the tenant has Entra ID P1, which conditional access requires
 * (https://learn.microsoft.com/entra/identity/conditional-access/overview#license-requirements). Both ride in the
 * first read batch. A refused read (403: the identity lacks Policy.Read.All or Organization.Read.All) is kept as
 * an answer: it matters only when a stack declares policies, and then the planner refuses before any write.
 */
import type { ConditionalAccessPolicy, SubscribedSku } from '@microsoft/microsoft-graph-types';
import type { LiveConditionalAccess, LivePremium, ReadRefusal } from '../model/live.js';
import { parsePolicyMarker } from '../model/policies.js';
import { graphFailure } from './failure.js';
import { paths } from './paths.js';
import { listAll } from './list.js';
import { graphErrorOf, type GraphRequestSpec, type GraphResponse, type GraphSender } from './transport.js';

/** Service plan ids of Entra ID P1 (AAD_PREMIUM) and P2 (AAD_PREMIUM_P2): https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference */
const P1_PLAN = '41781fb2-bc02-4b7c-bd55-b576c07bb09d';
const P2_PLAN = 'eec0eb4f-6444-4f95-aba0-50c24d67f998';

export const POLICY_READ_NEEDS = ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'] as const;

export function policyReads(withLicense: boolean): GraphRequestSpec[] {
  return [{ method: 'GET', path: paths.conditionalAccessPolicies }, ...(withLicense ? [{ method: 'GET' as const, path: paths.subscribedSkus }] : [])];
}

function refusal(res: GraphResponse): ReadRefusal | undefined {
  if (res.status !== 403) return undefined;
  const { code, message } = graphErrorOf(res);
  return { status: res.status, code, message };
}

/** The marked policies (every page), or the refusal. */
export async function toConditionalAccess(transport: GraphSender, res: GraphResponse): Promise<LiveConditionalAccess> {
  const refused = refusal(res);
  if (refused) return { refused };
  const all = await listAll<ConditionalAccessPolicy>(transport, res, 'list conditional access policies', POLICY_READ_NEEDS);
  return { policies: all.filter((p) => parsePolicyMarker(p.description)) };
}

export function toPremium(res: GraphResponse): LivePremium {
  const refused = refusal(res);
  if (refused) return { refused };
  if (res.status >= 400) throw graphFailure(res, { action: 'read the subscribed licenses', needs: ['Organization.Read.All'] });
  const plans = ((res.body as { value?: SubscribedSku[] }).value ?? [])
    .filter((s) => s.capabilityStatus === 'Enabled' || s.capabilityStatus === 'Warning')
    .flatMap((s) => s.servicePlans ?? [])
    .map((p) => String(p.servicePlanId).toLowerCase());
  return { p1: plans.includes(P1_PLAN) || plans.includes(P2_PLAN), p2: plans.includes(P2_PLAN) };
}
