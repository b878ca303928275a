import assert from 'node:assert/strict';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { Emulator } from '../../src/emulator/index.js';
import { graphClient, secretCredential } from './emulator.js';

/** Fixtures for service principal / assignment / grant / deleted-item tests, all made through Graph. */

export const MS_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

let counter = 0;
/** A display name unique within a test run. */
export function uniqueName(prefix = 'tf-test'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Let every write replicate (no-op when the emulator has no replication lag). */
export function settle(emu: Emulator): void {
  const lag = emu.faults.options.replicationLagMs;
  if (lag > 0) emu.clock.advance(lag + 1);
}

export async function createApp(client: Client, body: Partial<Application> = {}): Promise<Application> {
  return (await client.api('/applications').post({ displayName: uniqueName(), signInAudience: 'AzureADMyOrg', ...body })) as Application;
}

export async function createSp(client: Client, appId: string, body: Record<string, unknown> = {}): Promise<ServicePrincipal> {
  return (await client.api('/servicePrincipals').post({ appId, ...body })) as ServicePrincipal;
}

/** An app and its service principal, both replicated. */
export async function createAppWithSp(emu: Emulator, client: Client, body: Partial<Application> = {}): Promise<{ app: Application; sp: ServicePrincipal }> {
  const app = await createApp(client, body);
  settle(emu);
  const sp = await createSp(client, app.appId!);
  settle(emu);
  return { app, sp };
}

export async function msGraphSp(client: Client): Promise<ServicePrincipal> {
  return (await client.api(`/servicePrincipals(appId='${MS_GRAPH_APP_ID}')`).get()) as ServicePrincipal;
}

/** The id of a Microsoft Graph app role (application permission) by value, e.g. `Application.Read.All`. */
export function roleId(graphSp: ServicePrincipal, value: string): string {
  const role = graphSp.appRoles?.find((r) => r.value === value);
  assert.ok(role?.id, `Microsoft Graph SP has no app role ${value}`);
  return role.id;
}

/**
 * A confidential client (app + SP + secret) that holds exactly `roles` on Microsoft Graph, granted by the
 * admin client through appRoleAssignedTo. Returns a Graph client that authenticates as it.
 */
export async function clientWithRoles(emu: Emulator, admin: Client, roles: string[]): Promise<{ app: Application; sp: ServicePrincipal; client: Client }> {
  const { app, sp } = await createAppWithSp(emu, admin);
  const password = (await admin.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'test' } })) as PasswordCredential;
  const graphSp = await msGraphSp(admin);
  for (const role of roles) {
    await admin
      .api(`/servicePrincipals/${graphSp.id}/appRoleAssignedTo`)
      .post({ principalId: sp.id, resourceId: graphSp.id, appRoleId: roleId(graphSp, role) });
  }
  settle(emu);
  return { app, sp, client: graphClient(emu, secretCredential(emu, app.appId!, password.secretText!)) };
}

/** Await a Graph SDK call that must fail, and check the GraphError's status, code and (optionally) message. */
export async function expectGraphError(call: Promise<unknown>, status: number, code: string, message?: RegExp | string): Promise<void> {
  await assert.rejects(call, (e: { statusCode?: number; code?: string; message?: string }) => {
    assert.equal(e.statusCode, status, `status (got ${e.statusCode} ${e.code}: ${e.message})`);
    assert.equal(e.code, code, `code (message: ${e.message})`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message ?? '', message);
    return true;
  });
}
