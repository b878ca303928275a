import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { filters, odataString, paths } from '../../src/graph/paths.js';

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
});
