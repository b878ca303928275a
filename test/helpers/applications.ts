import assert from 'node:assert/strict';
import { randomUUID, X509Certificate } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AppRole, Application, PermissionScope, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { generate } from 'selfsigned';
import type { Emulator } from '../../src/emulator/index.js';
import { graphClient, secretCredential } from './emulator.js';

/** Helpers for the application-surface tests (test/emulator/applications*, validation*, passwords*, federated*). */

/** Run a Graph SDK call that must fail; return the GraphError's status, code and body for asserts. */
export async function graphFailure(call: Promise<unknown>): Promise<{ statusCode: number; code: string; message: string; body: unknown }> {
  try {
    await call;
  } catch (e) {
    const err = e as { statusCode?: number; code?: string; message?: string; body?: unknown };
    assert.ok(typeof err.statusCode === 'number', `expected a GraphError, got ${String(e)}`);
    const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    return { statusCode: err.statusCode!, code: String(err.code), message: String(err.message), body };
  }
  assert.fail('expected the Graph call to fail');
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export async function expectGraphError(call: Promise<unknown>, statusCode: number, code: string): Promise<{ message: string; body: unknown }> {
  const f = await graphFailure(call);
  assert.equal(f.statusCode, statusCode, `status (code ${f.code}: ${f.message})`);
  assert.equal(f.code, code, `code (${f.message})`);
  return f;
}

export function role(value: string, over: Partial<AppRole> = {}): AppRole {
  return {
    id: randomUUID(),
    value,
    displayName: value,
    description: `${value} role`,
    allowedMemberTypes: ['Application'],
    isEnabled: true,
    ...over,
  };
}

export function scope(value: string, over: Partial<PermissionScope> = {}): PermissionScope {
  return {
    id: randomUUID(),
    value,
    type: 'User',
    adminConsentDisplayName: value,
    adminConsentDescription: `${value} scope`,
    userConsentDisplayName: value,
    userConsentDescription: `${value} scope`,
    isEnabled: true,
    ...over,
  };
}

/** A self-signed certificate as keyCredentials wants it: base64 DER, plus its validity. */
export async function testCertificate(): Promise<{ der: string; validFrom: string; validTo: string; pem: string }> {
  const r = await generate([{ name: 'commonName', value: 'tenantform test cert' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
  });
  const cert = new X509Certificate(r.cert);
  return { der: cert.raw.toString('base64'), validFrom: cert.validFrom, validTo: cert.validTo, pem: r.cert };
}

export async function createApp(client: Client, body: Record<string, unknown> = {}): Promise<Application> {
  return (await client.api('/applications').post({ displayName: `app-${randomUUID().slice(0, 8)}`, ...body })) as Application;
}

/**
 * A second confidential client in the tenant (app + SP + secret, created by the admin client), optionally
 * granted Microsoft Graph application permissions by app role assignment. Needs replicationLagMs 0.
 */
export async function extraClient(
  emu: Emulator,
  admin: Client,
  graphRoles: string[] = [],
): Promise<{ app: Application; sp: ServicePrincipal; client: Client }> {
  const app = await createApp(admin);
  const sp = (await admin.api('/servicePrincipals').post({ appId: app.appId })) as ServicePrincipal;
  const pwd = (await admin.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'test' } })) as { secretText: string };
  if (graphRoles.length > 0) {
    const graphSp = (await admin.api("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").get()) as ServicePrincipal;
    for (const value of graphRoles) {
      const appRole = graphSp.appRoles!.find((r) => r.value === value);
      assert.ok(appRole, `Microsoft Graph has no app role ${value}`);
      await admin.api(`/servicePrincipals/${graphSp.id}/appRoleAssignedTo`).post({ principalId: sp.id, resourceId: graphSp.id, appRoleId: appRole.id });
    }
  }
  return { app, sp, client: graphClient(emu, secretCredential(emu, app.appId!, pwd.secretText)) };
}
