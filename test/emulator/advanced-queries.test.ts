import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application } from '@microsoft/microsoft-graph-types';
import { searchTokens } from '../../src/emulator/graph/search.js';
import { expectGraphError, settle } from '../helpers/directory.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';

/**
 * `$search` and `$orderby` as advanced queries (https://learn.microsoft.com/graph/aad-advanced-queries,
 * https://learn.microsoft.com/graph/search-query-parameter#using-search-on-directory-object-collections):
 * through the Graph JS client (`.search`, `.orderby`, `.count`, `.header('ConsistencyLevel', 'eventual')`) and
 * raw HTTPS for the exact refusals.
 */

const EVENTUAL = { ConsistencyLevel: 'eventual' };
const NAMES = ['OneVideo Portal', 'one-video', 'Videogame', 'Contoso HR', 'contoso-payroll', 'Zeta 2000'];

describe('advanced queries: $search', () => {
  let client: Client;
  let token: string;
  const apps: Application[] = [];
  const emu = useEmulator();

  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
    for (const displayName of NAMES) {
      apps.push(
        (await client
          .api('/applications')
          .post({ displayName, signInAudience: 'AzureADMyOrg', description: displayName === 'Zeta 2000' ? 'Legacy billing' : null })) as Application,
      );
    }
    settle(emu);
  });

  const raw = async (path: string, headers: Record<string, string> = {}) => {
    const res = await rawFetch(emu, `/v1.0${path}`, { token, headers });
    return {
      status: res.status,
      body: (await res.json()) as { value?: Array<{ displayName: string }>; '@odata.count'?: number; error?: { code: string; message: string } },
    };
  };
  const searchNames = async (search: string, path = '/applications') => {
    const res = (await client.api(path).search(search).header('ConsistencyLevel', 'eventual').select('displayName').top(999).get()) as {
      value: Array<{ displayName: string }>;
    };
    return res.value.map((a) => a.displayName).sort();
  };

  it('the documented tokenization: spaces, lower→upper case changes, digits and symbols (symbol-joined words kept joined)', () => {
    assert.deepEqual(searchTokens('hello world'), ['hello', 'world']);
    assert.deepEqual(searchTokens('HelloWorld'), ['hello', 'world']);
    assert.deepEqual(searchTokens('helloWORLD'), ['hello', 'world']);
    assert.deepEqual(searchTokens('HELLOworld'), ['helloworld']);
    assert.deepEqual(searchTokens('HelloWORld'), ['hello', 'world']);
    assert.deepEqual(searchTokens('hello.world').sort(), ['.', 'hello', 'helloworld', 'world']);
    assert.deepEqual(searchTokens('hello123world'), ['hello', '123', 'world']);
  });

  it('without ConsistencyLevel: 400 Request_UnsupportedQuery with the documented text', async () => {
    const { status, body } = await raw('/applications?$search="displayName:video"');
    assert.deepEqual(
      [status, body.error?.code, body.error?.message],
      [
        400,
        'Request_UnsupportedQuery',
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
      ],
    );
    await expectGraphError(client.api('/servicePrincipals').search('"displayName:video"').get(), 400, 'Request_UnsupportedQuery');
  });

  it('displayName and description match by token prefix in any order; other properties by startsWith (SDK .search)', async () => {
    assert.deepEqual(await searchNames('"displayName:video"'), ['OneVideo Portal', 'Videogame', 'one-video']);
    assert.deepEqual(await searchNames('"displayName:portal one"'), ['OneVideo Portal']);
    assert.deepEqual(await searchNames('"displayName:onevideo"'), ['one-video']);
    assert.deepEqual(await searchNames('"displayName:2000"'), ['Zeta 2000']);
    assert.deepEqual(await searchNames('"description:billing"'), ['Zeta 2000']);
    const zeta = apps.find((a) => a.displayName === 'Zeta 2000')!;
    assert.deepEqual(await searchNames(`"appId:${zeta.appId!.slice(0, 8)}"`), ['Zeta 2000']);
    assert.deepEqual(await searchNames('"appId:video"'), []);
  });

  it('AND / OR (upper case) and parentheses; $filter is ANDed; $count=true counts the matches', async () => {
    assert.deepEqual(await searchNames('"displayName:contoso" AND "displayName:hr"'), ['Contoso HR']);
    assert.deepEqual(await searchNames('"displayName:zeta" OR "displayName:payroll"'), ['Zeta 2000', 'contoso-payroll']);
    assert.deepEqual(await searchNames('"displayName:contoso" AND ("displayName:hr" OR "displayName:payroll")'), ['Contoso HR', 'contoso-payroll']);
    const filtered = await raw(`/applications?$search="displayName:contoso"&$filter=startswith(displayName,'Contoso')&$count=true`, EVENTUAL);
    assert.deepEqual([filtered.body.value?.map((a) => a.displayName), filtered.body['@odata.count']], [['Contoso HR', 'contoso-payroll'], 2]);
    for (const bad of ['"displayName:a" and "displayName:b"', 'displayName:video', '"video"', '"displayName:a" AND']) {
      const res = await raw(`/applications?$search=${encodeURIComponent(bad)}`, EVENTUAL);
      assert.equal(res.status, 400, bad);
    }
    const unsupported = await raw(`/applications?$search=${encodeURIComponent('"notes:x"')}`, EVENTUAL);
    assert.equal(unsupported.body.error?.code, 'Request_UnsupportedQuery');
  });

  it('service principals and users search too', async () => {
    settle(emu);
    for (const a of apps.slice(0, 2)) await client.api('/servicePrincipals').post({ appId: a.appId });
    emu.addUser({ userPrincipalName: `video.fan@${emu.tenants[0].domain}`, displayName: 'Video Fan', password: 'Sup3r-secret-pass!' });
    settle(emu);
    assert.deepEqual(await searchNames('"displayName:video"', '/servicePrincipals'), ['OneVideo Portal', 'one-video']);
    const users = (await client.api('/users').search('"displayName:fan"').header('ConsistencyLevel', 'eventual').get()) as {
      value: Array<{ displayName: string }>;
    };
    assert.deepEqual(
      users.value.map((u) => u.displayName),
      ['Video Fan'],
    );
  });
});

describe('advanced queries: $orderby', () => {
  let client: Client;
  let token: string;
  const emu = useEmulator();

  before(async () => {
    client = graphClient(emu);
    token = await graphToken(emu);
    for (const displayName of ['m-bravo', 'M-alpha', 'm-charlie'])
      await client.api('/applications').post({ displayName, signInAudience: 'AzureADMyOrg', tags: ['sort'] });
    for (const name of ['carol', 'alice', 'bob'])
      emu.addUser({ userPrincipalName: `${name}@${emu.tenants[0].domain}`, displayName: name.toUpperCase(), password: 'Sup3r-secret-pass!' });
    settle(emu);
  });

  const raw = async (path: string, headers: Record<string, string> = {}) => {
    const res = await rawFetch(emu, `/v1.0${path}`, { token, headers });
    return { status: res.status, body: (await res.json()) as { value?: Array<{ displayName: string }>; error?: { code: string; message: string } } };
  };
  const SORTING = [400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.'];

  it('applications and service principals sort only as advanced queries (SDK .orderby + .count + header)', async () => {
    const sorted = (await client
      .api('/applications')
      .filter("tags/any(t:t eq 'sort')")
      .orderby('displayName desc')
      .count(true)
      .header('ConsistencyLevel', 'eventual')
      .get()) as { value: Array<{ displayName: string }>; '@odata.count': number };
    assert.deepEqual(
      sorted.value.map((a) => a.displayName),
      ['m-charlie', 'm-bravo', 'M-alpha'],
    );
    assert.equal(sorted['@odata.count'], 3);
    for (const path of ['/applications?$orderby=displayName', '/applications?$orderby=displayName&$count=true', '/servicePrincipals?$orderby=displayName']) {
      const { status, body } = await raw(path);
      assert.deepEqual([status, body.error?.code, body.error?.message], SORTING, path);
    }
    const sps = await raw('/servicePrincipals?$orderby=displayName&$count=true', EVENTUAL);
    const names = sps.body.value!.map((s) => s.displayName.toLowerCase());
    assert.deepEqual(names, [...names].sort());
  });

  it('users sort by displayName or userPrincipalName by default, but not with $filter unless advanced', async () => {
    const users = (await client.api('/users').orderby('userPrincipalName desc').select('userPrincipalName').get()) as {
      value: Array<{ userPrincipalName: string }>;
    };
    const upns = users.value.map((u) => u.userPrincipalName);
    assert.deepEqual(upns, [...upns].sort().reverse());
    const byName = await raw('/users?$orderby=displayName');
    assert.equal(byName.status, 200);
    const filtered = `/users?$filter=${encodeURIComponent("startswith(displayName,'B')")}&$orderby=displayName`;
    const refused = await raw(filtered);
    assert.deepEqual([refused.status, refused.body.error?.code, refused.body.error?.message], SORTING);
    assert.equal((await raw(`${filtered}&$count=true`, EVENTUAL)).status, 200);
    assert.deepEqual([(await raw('/users?$orderby=mail')).status, (await raw('/users?$orderby=mail')).body.error?.code], [400, 'Request_UnsupportedQuery']);
  });

  it('unknown properties are 400; two sort keys are 501', async () => {
    const unknown = await raw('/applications?$orderby=bogus&$count=true', EVENTUAL);
    assert.deepEqual([unknown.status, unknown.body.error?.message], [400, "Could not find a property named 'bogus' on type 'microsoft.graph.application'."]);
    assert.equal((await raw('/applications?$orderby=displayName,createdDateTime&$count=true', EVENTUAL)).status, 501);
  });
});
