import type { ConditionalAccessPolicy } from '@microsoft/microsoft-graph-types';
import type { StoreCore } from './collection.js';

/**
 * Conditional access policies, with the replication lag of every other object: a read right after POST may
 * not find the new policy (terraform-provider-msgraph#32; terraform-provider-azuread polls GET after create
 * until it stops answering 404), and a read after PATCH may return the previous version.
 */
export class ConditionalAccessPolicyStore {
  constructor(private readonly core: StoreCore) {}

  /** By id, as a replica sees it. */
  visible(id: string): ConditionalAccessPolicy | undefined {
    return this.core.conditionalAccessPolicies.visible(id);
  }

  list(): ConditionalAccessPolicy[] {
    return this.core.conditionalAccessPolicies.list();
  }

  /** A copy of the write master's policy (a PATCH applies on top of it, never on a stale replica). */
  master(id: string): ConditionalAccessPolicy | undefined {
    const p = this.core.conditionalAccessPolicies.master(id);
    return p ? structuredClone(p) : undefined;
  }

  create(policy: ConditionalAccessPolicy): void {
    this.core.conditionalAccessPolicies.put(policy.id!, policy);
  }

  update(policy: ConditionalAccessPolicy): void {
    this.core.conditionalAccessPolicies.put(policy.id!, policy);
  }

  /** DELETE: gone for every read at once (docs/emulator.md: deletes are not lagged). */
  remove(id: string): void {
    this.core.conditionalAccessPolicies.remove(id);
  }
}
