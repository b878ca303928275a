import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { filters, IN_LIMIT, inChunks, odataString, paths } from '../../src/graph/paths.js';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('graph/paths.ts: every Graph URL is built in one place', () => {
  it('no module outside graph/paths.ts (and the emulator, which serves them) writes a Graph path literal', () => {
    const literal = /['`]\/(applications|servicePrincipals|oauth2PermissionGrants|directory|directoryObjects|organization|users|\$batch)\b/;
    const offenders = files('src')
      .filter((f) => !f.startsWith(join('src', 'emulator')) && f !== join('src', 'graph', 'paths.ts'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ f, i, line })),
      )
      .filter(({ line }) => literal.test(line) && !/^\s*(\/\/|\*|\/\*\*)/.test(line))
      .map(({ f, i, line }) => `${relative('.', f)}:${i + 1}: ${line.trim()}`);
    assert.deepEqual(offenders, []);
  });

  it('quotes OData string literals and addresses alternate keys as Graph documents them', () => {
    assert.equal(odataString("o'brien"), "o''brien");
    assert.equal(paths.applicationByUniqueName("s--o'k", 'id'), "/applications(uniqueName='s--o''k')?$select=id");
    assert.equal(paths.servicePrincipalByAppId('a1'), "/servicePrincipals(appId='a1')");
    assert.equal(filters.tag("tenantform:stack=x'y"), "tags/any(t:t eq 'tenantform:stack=x''y')");
    assert.equal(filters.tagStartsWith('tenantform:stack=ci-'), "tags/any(t:startswith(t,'tenantform:stack=ci-'))");
    assert.match(
      paths.deletedApplicationsWhere(filters.uniqueName('u')),
      /^\/directory\/deletedItems\/microsoft\.graph\.application\?\$filter=uniqueName eq 'u'&\$select=/,
    );
  });

  it('folds reads: $select with $expand, `in (…)` lists of at most 15 values', () => {
    assert.equal(
      paths.applicationByUniqueName('u', 'id', 'federatedIdentityCredentials'),
      "/applications(uniqueName='u')?$select=id&$expand=federatedIdentityCredentials",
    );
    assert.equal(paths.applicationByUniqueName('u'), "/applications(uniqueName='u')");
    assert.equal(
      paths.servicePrincipalsOfAppIds(['a1', 'a2'], 'id,appId', 'appRoleAssignments'),
      "/servicePrincipals?$filter=appId in ('a1','a2')&$select=id,appId&$expand=appRoleAssignments",
    );
    assert.equal(filters.uniqueNameIn(["o'k", 'b']), "uniqueName in ('o''k','b')");
    const values = Array.from({ length: 31 }, (_, i) => i);
    assert.deepEqual(
      inChunks(values).map((c) => c.length),
      [15, 15, 1],
    );
    assert.equal(IN_LIMIT, 15);
    assert.deepEqual(inChunks([]), []);
  });
});
