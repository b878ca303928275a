import type { DesiredApplication, DesiredPermission, DesiredStack } from '../model/desired.js';
import type { DesiredPolicy } from '../model/policies.js';

/** The planner's view of one desired application: the model's, plus the name of its stack. */
export type PlanApplication = DesiredApplication & { stack: string };
export type PlanPermission = DesiredPermission;

export interface PlanStack {
  name: string;
  applications: PlanApplication[];
  policies: DesiredPolicy[];
}

export function toPlanStack(s: DesiredStack): PlanStack {
  return { name: s.name, applications: s.applications.map((a) => ({ ...a, stack: s.name })), policies: s.conditionalAccessPolicies ?? [] };
}
