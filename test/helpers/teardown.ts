/**
 * Helpers for the teardown, import, sweep and drift tests: the plan-schema check every real plan goes
 * through, and reads of the tenant through Graph (the real SDK), never through the emulator's internals.
 */
import assert from 'node:assert/strict';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { Emulator } from '../../src/emulator/index.js';
import { graphWrites } from '../../src/emulator/index.js';
import { PlanSchema } from '../../src/plan/schema.js';
import type { Plan } from '../../src/plan/types.js';
import { graphClient } from './emulator.js';

/** A real plan must validate against docs/plan.schema.json's zod source, with no field the schema does not know. */
export function assertValidPlan(plan: Plan): void {
  const json = JSON.parse(JSON.stringify(plan)) as unknown;
  const parsed = PlanSchema.safeParse(json);
  assert.ok(parsed.success, `plan does not match the plan schema: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`);
  // zod drops unknown keys: a difference means plan/types.ts has a field the schema lacks.
  assert.deepEqual(parsed.data, json, 'plan has fields the plan schema does not describe');
}

/** Run `fn` and return the Graph writes (batch items counted) the emulator saw meanwhile. */
export async function writesDuring<T>(emu: Emulator, fn: () => Promise<T>): Promise<{ value: T; writes: string[] }> {
  const mark = emu.requestLog.mark();
  const value = await fn();
  return { value, writes: graphWrites(emu.requestLog.since(mark)).map((w) => `${w.method} ${w.path}`) };
}

export async function appByUniqueName(emu: Emulator, uniqueName: string): Promise<Application | undefined> {
  const list = (await graphClient(emu).api('/applications').filter(`uniqueName eq '${uniqueName}'`).get()) as { value: Application[] };
  return list.value[0];
}

export async function appByAppId(emu: Emulator, appId: string): Promise<Application | undefined> {
  const list = (await graphClient(emu).api('/applications').filter(`appId eq '${appId}'`).get()) as { value: Application[] };
  return list.value[0];
}

/** Applications and service principals in the recycle bin whose ownership tag names this stack. */
export async function deletedOfStack(emu: Emulator, stack: string): Promise<{ apps: Application[]; sps: ServicePrincipal[] }> {
  const client = graphClient(emu);
  const filter = `tags/any(t:t eq 'tenantform:stack=${stack}')`;
  const apps = ((await client.api('/directory/deletedItems/microsoft.graph.application').filter(filter).get()) as { value: Application[] }).value;
  const sps = ((await client.api('/directory/deletedItems/microsoft.graph.servicePrincipal').filter(filter).get()) as { value: ServicePrincipal[] }).value;
  return { apps, sps };
}

/** Live applications carrying this stack's ownership tag. */
export async function appsOfStack(emu: Emulator, stack: string): Promise<Application[]> {
  return ((await graphClient(emu).api('/applications').filter(`tags/any(t:t eq 'tenantform:stack=${stack}')`).get()) as { value: Application[] }).value;
}
