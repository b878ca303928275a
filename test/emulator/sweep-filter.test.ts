import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application } from '@microsoft/microsoft-graph-types';
import { createApp, expectGraphError } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';

/**
 * `coll/any(x:startswith(x,'…'))`: the lambda form of startsWith on a string collection
 * (https://learn.microsoft.com/graph/filter-query-parameter), which the sweep of ephemeral stacks uses on
 * tags, on live applications and in the recycle bin.
 */
describe('$filter tags/any(t:startswith(t,…))', () => {
  let client: Client;
  let apps: Application[];
  const ids = async (path: string, filter: string) => ((await client.api(path).filter(filter).get()) as { value: Application[] }).value.map((a) => a.id).sort();

  const emu = useEmulator();
  before(async () => {
    client = graphClient(emu);
    apps = [
      await createApp(client, { tags: ['tenantform:stack=ci-1', 'team:x'] }),
      await createApp(client, { tags: ['tenantform:stack=CI-2'] }),
      await createApp(client, { tags: ['tenantform:stack=prod'] }),
      await createApp(client, { tags: [] }),
    ];
  });

  it('matches applications with any tag starting with the prefix, case-insensitively', async () => {
    assert.deepEqual(await ids('/applications', "tags/any(t:startswith(t,'tenantform:stack=ci-'))"), [apps[0].id, apps[1].id].sort());
    assert.deepEqual(await ids('/applications', "tags/any(t:startswith(t,'team:'))"), [apps[0].id]);
    assert.deepEqual(await ids('/applications', "tags/any(t:startswith(t,'nothing'))"), []);
  });

  it('combines with and/or, and also works on identifierUris', async () => {
    assert.deepEqual(await ids('/applications', "tags/any(t:startswith(t,'tenantform:')) and tags/any(t:t eq 'team:x')"), [apps[0].id]);
    assert.deepEqual(
      await ids('/applications', "tags/any(t:startswith(t,'team:')) or tags/any(t:t eq 'tenantform:stack=prod')"),
      [apps[0].id, apps[2].id].sort(),
    );
    await client.api(`/applications/${apps[3].id}`).patch({ identifierUris: [`api://${apps[3].appId}`] });
    assert.deepEqual(await ids('/applications', "identifierUris/any(x:startswith(x,'api://'))"), [apps[3].id]);
  });

  it('works in the recycle bin', async () => {
    await client.api(`/applications/${apps[0].id}`).delete();
    assert.deepEqual(await ids('/directory/deletedItems/microsoft.graph.application', "tags/any(t:startswith(t,'tenantform:stack=ci-'))"), [apps[0].id]);
  });

  it('rejects a lambda whose startswith names another variable, or a non-string prefix', async () => {
    await expectGraphError(client.api('/applications').filter("tags/any(t:startswith(u,'x'))").get(), 400, 'Request_BadRequest');
    await expectGraphError(client.api('/applications').filter('tags/any(t:startswith(t,1))').get(), 400, 'Request_BadRequest');
    await expectGraphError(client.api('/applications').filter("tags/any(t:startswith(t,'x')").get(), 400, 'Request_BadRequest');
  });
});
