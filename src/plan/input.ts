import type { DesiredApplication, DesiredPermission, DesiredStack } from '../model/desired.js';

/** The planner's view of one desired application: the model's, plus the name of its stack. */
export type PlanApplication = DesiredApplication & { stack: string };
export type PlanPermission = DesiredPermission;

export interface PlanStack {
  name: string;
  applications: PlanApplication[];
}

export function toPlanStack(s: DesiredStack): PlanStack {
  return { name: s.name, applications: s.applications.map((a) => ({ ...a, stack: s.name })) };
}
