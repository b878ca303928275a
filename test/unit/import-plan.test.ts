import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { withStackSuffix } from '../../src/manifest/stack-suffix.js';
import { isTenantformError } from '../../src/errors.js';
import { findApp } from '../../src/gather/import.js';
import { adoptionChange, checkAdoption, type Adoption } from '../../src/plan/import.js';
import { desiredApp, desiredStack } from '../helpers/builders.js';

const desired = desiredApp({ stack: 'web', key: 'api' });
const app = (o: Partial<Application> = {}): Application => ({ id: 'obj', appId: 'app-id', displayName: 'Legacy', uniqueName: null, tags: [], ...o });
const adoption = (o: Partial<Adoption> = {}): Adoption => ({ stack: 'web', desired, app: app(), ...o });

describe('import: what adoption may change', () => {
  it('sets the uniqueName once and adds the ownership tag to the app and its SP, keeping other tags', () => {
    const sp: ServicePrincipal = { id: 'sp', tags: ['WindowsAzureActiveDirectoryIntegratedApp'] };
    const c = adoptionChange(adoption({ app: app({ tags: ['team:x'] }), servicePrincipal: sp }));
    assert.equal(c?.action, 'adopt-application');
    if (c?.action !== 'adopt-application') return;
    assert.deepEqual(c.after, { uniqueName: 'web--api', tags: ['team:x', 'tenantform:stack=web'] });
    assert.deepEqual(c.servicePrincipalTags, ['WindowsAzureActiveDirectoryIntegratedApp', 'tenantform:stack=web']);
    assert.equal(c.servicePrincipalId, 'sp');
  });

  it('only the tag when the uniqueName is already ours; nothing when both are there', () => {
    const half = adoptionChange(adoption({ app: app({ uniqueName: 'WEB--API' }) }));
    assert.deepEqual(half?.action === 'adopt-application' && half.after, { tags: ['tenantform:stack=web'] });
    assert.equal(adoptionChange(adoption({ app: app({ uniqueName: 'web--api', tags: ['tenantform:stack=web'] }) })), undefined);
  });

  const refusals: Array<[string, Partial<Adoption>, string]> = [
    ['another uniqueName', { app: app({ uniqueName: 'other--api' }) }, 'CONFLICT'],
    ["another stack's tag", { app: app({ tags: ['tenantform:stack=other'] }) }, 'CONFLICT'],
    ['a live holder of the uniqueName', { holder: app({ id: 'someone', displayName: 'holder' }) }, 'CONFLICT'],
    ['a deleted holder of the uniqueName', { deletedHolder: app({ id: 'deleted' }) }, 'SOFT_DELETED'],
  ];
  for (const [name, o, code] of refusals) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => checkAdoption(adoption(o)),
        (e) => isTenantformError(e) && e.code === code,
      ));
  }
  it('accepts the app itself as the holder (a re-import)', () => assert.doesNotThrow(() => checkAdoption(adoption({ holder: app() }))));
});

describe('import: naming the application', () => {
  const stacks = withStackSuffix(
    [
      desiredStack({ name: 'web', applications: [desiredApp({ stack: 'web', key: 'api' })] }),
      desiredStack({ name: 'jobs', applications: [desiredApp({ stack: 'jobs', key: 'api' }), desiredApp({ stack: 'jobs', key: 'worker' })] }),
    ],
    '7',
  );
  it('by key when it is unique, else by stack/key (with or without the suffix)', () => {
    assert.equal(findApp(stacks, 'worker', '7').stack.name, 'jobs-7');
    assert.equal(findApp(stacks, 'web/api', '7').stack.name, 'web-7');
    assert.equal(findApp(stacks, 'jobs-7/api', '7').stack.name, 'jobs-7');
    assert.throws(
      () => findApp(stacks, 'api', '7'),
      (e) => isTenantformError(e) && e.code === 'USAGE' && /several stacks/.test(e.message),
    );
    assert.throws(
      () => findApp(stacks, 'nope', '7'),
      (e) => isTenantformError(e) && e.code === 'USAGE' && /known: api, worker/.test(e.message),
    );
    assert.throws(
      () => findApp(stacks, 'we/api', '7'),
      (e) => isTenantformError(e) && e.code === 'USAGE',
    );
  });
});
