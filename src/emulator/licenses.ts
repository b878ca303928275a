import { createHash } from 'node:crypto';

/**
 * The tenant's Entra ID licenses, which decide what conditional access may use: Entra ID P1 (AAD_PREMIUM) for
 * any policy, P2 (AAD_PREMIUM_P2) for risk-based conditions
 * (https://learn.microsoft.com/entra/identity/conditional-access/overview#license-requirements).
 *
 * SKU and service plan ids from "Product names and service plan identifiers for licensing"
 * (https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference), the same in every tenant.
 */
export type LicenseSku = 'AAD_PREMIUM' | 'AAD_PREMIUM_P2';

/** What a new tenant has unless told otherwise: Entra ID P1 only. */
export const DEFAULT_LICENSES: readonly LicenseSku[] = ['AAD_PREMIUM'];

const PLAN_P1 = { servicePlanId: '41781fb2-bc02-4b7c-bd55-b576c07bb09d', servicePlanName: 'AAD_PREMIUM' };
const PLAN_P2 = { servicePlanId: 'eec0eb4f-6444-4f95-aba0-50c24d67f998', servicePlanName: 'AAD_PREMIUM_P2' };

/** Each SKU with its skuId and the service plans it carries (P2 includes P1's plan). */
export const LICENSE_SKUS: Record<LicenseSku, { skuId: string; plans: Array<{ servicePlanId: string; servicePlanName: string }> }> = {
  AAD_PREMIUM: { skuId: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4', plans: [PLAN_P1] },
  AAD_PREMIUM_P2: { skuId: '84a661c4-e949-4bd2-a560-ed7766fcaf2b', plans: [PLAN_P1, PLAN_P2] },
};

const isSku = (s: string): s is LicenseSku => Object.hasOwn(LICENSE_SKUS, s);

/** Checks and de-duplicates a license list (from an option or the state file); throws on an unknown SKU name. */
export function checkLicenses(list: readonly string[], source: string): LicenseSku[] {
  const out: LicenseSku[] = [];
  for (const name of list) {
    if (!isSku(name)) throw new Error(`${source}: unknown license '${name}' (use AAD_PREMIUM, AAD_PREMIUM_P2 or none)`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * The licenses asked for: the `licenses` option, else TENANTFORM_EMULATOR_LICENSES (comma-separated SKU part
 * numbers, `none` = no license), else undefined (a new tenant gets DEFAULT_LICENSES, a stored one keeps its own).
 */
export function resolveLicenses(option: readonly string[] | undefined, env: NodeJS.ProcessEnv = process.env): LicenseSku[] | undefined {
  if (option !== undefined) return checkLicenses(option, 'emulator option licenses');
  const raw = env.TENANTFORM_EMULATOR_LICENSES?.trim();
  if (!raw) return undefined;
  if (raw.toLowerCase() === 'none') return [];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return checkLicenses(names, 'TENANTFORM_EMULATOR_LICENSES');
}

export interface TenantLicenses {
  /** Entra ID P1 or better: conditional access policies can be written. */
  p1: boolean;
  /** Entra ID P2: risk-based conditions. */
  p2: boolean;
}

export function licenseLevel(skus: readonly LicenseSku[]): TenantLicenses {
  return { p1: skus.length > 0, p2: skus.includes('AAD_PREMIUM_P2') };
}

/** A GUID derived from text (a stable billing-account id per tenant without storing one). */
function derivedGuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The subscribedSku objects of GET /subscribedSkus (https://learn.microsoft.com/graph/api/subscribedsku-list):
 * `id` is `{tenantId}_{skuId}` as in the docs' sample. Unit counts are arbitrary (25 enabled, none consumed: the
 * emulator has no users to assign licenses to) and `subscriptionIds` is empty (no commerce subscriptions).
 */
export function subscribedSkus(tenantId: string, accountName: string, skus: readonly LicenseSku[]): Array<Record<string, unknown>> {
  return skus.map((name) => {
    const sku = LICENSE_SKUS[name];
    return {
      id: `${tenantId}_${sku.skuId}`,
      accountId: derivedGuid(`tenantform-emulator-account:${tenantId}`),
      accountName,
      appliesTo: 'User',
      capabilityStatus: 'Enabled',
      consumedUnits: 0,
      prepaidUnits: { enabled: 25, suspended: 0, warning: 0, lockedOut: 0 },
      servicePlans: sku.plans.map((p) => ({ ...p, provisioningStatus: 'Success', appliesTo: 'User' })),
      skuId: sku.skuId,
      skuPartNumber: name,
      subscriptionIds: [],
    };
  });
}

/** Properties of microsoft.graph.subscribedSku (v1.0 resource page), for `$select`. */
export const SUBSCRIBED_SKU_PROPERTIES = new Set([
  'id',
  'accountId',
  'accountName',
  'appliesTo',
  'capabilityStatus',
  'consumedUnits',
  'prepaidUnits',
  'servicePlans',
  'skuId',
  'skuPartNumber',
  'subscriptionIds',
]);
