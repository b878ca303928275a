import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authorityFor } from '../../src/outputs/render.js';

/**
 * ${tenant.authority} follows the tenant (issue 3): login.microsoftonline.com (or the cloud's host) for a
 * workforce tenant, {subdomain}.ciamlogin.com for an External ID customer tenant
 * (https://learn.microsoft.com/entra/external-id/customers/concept-authentication-methods-customers),
 * the emulator's own authority for the local tenant.
 */
describe('authorityFor', () => {
  const T = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const rows: Array<[string, Parameters<typeof authorityFor>, string]> = [
    [
      'workforce tenant',
      [{ id: T, tenantType: 'AAD', subdomain: 'contoso' }, 'https://login.microsoftonline.com', false],
      `https://login.microsoftonline.com/${T}`,
    ],
    [
      'workforce tenant, US Government cloud',
      [{ id: T, tenantType: 'AAD' }, 'https://login.microsoftonline.us/', false],
      `https://login.microsoftonline.us/${T}`,
    ],
    [
      'External ID customer tenant',
      [{ id: T, tenantType: 'CIAM', subdomain: 'contosocustomers' }, 'https://login.microsoftonline.com', false],
      `https://contosocustomers.ciamlogin.com/${T}`,
    ],
    [
      'customer tenant without a known subdomain',
      [{ id: T, tenantType: 'CIAM' }, 'https://login.microsoftonline.com', false],
      `https://login.microsoftonline.com/${T}`,
    ],
    [
      'local tenant (even a CIAM one)',
      [{ id: T, tenantType: 'CIAM', subdomain: 'tenantformlocal' }, 'https://127.0.0.1:47443', true],
      `https://127.0.0.1:47443/${T}`,
    ],
  ];
  for (const [name, args, expected] of rows) test(name, () => assert.equal(authorityFor(...args), expected));
});
