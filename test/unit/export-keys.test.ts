import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lifetimeOf } from '../../src/export/credentials.js';
import { assignKeys, keyFromDisplayName } from '../../src/export/keys.js';
import { paths, queryValue } from '../../src/graph/paths.js';
import { APP_KEY, APP_KEY_MAX } from '../../src/manifest/schema.js';

describe('export: manifest keys', () => {
  it('from display names: lower-case words joined by -, starting with a letter, at most APP_KEY_MAX', () => {
    const cases: Array<[string, string]> = [
      ['ciam-ToDoList-api', 'ciam-todolist-api'],
      ['My API (prod)', 'my-api-prod'],
      ['Überweisung Dienst', 'uberweisung-dienst'],
      ['2024 api', 'app-2024-api'],
      ['***', 'app'],
      ['snake_case_name', 'snake_case_name'],
    ];
    for (const [name, key] of cases) assert.equal(keyFromDisplayName(name), key, name);
    const long = keyFromDisplayName('a'.repeat(50) + ' ' + 'b'.repeat(50));
    assert.ok(long.length <= APP_KEY_MAX && APP_KEY.test(long) && !long.endsWith('-'), long);
  });

  it('a tenantform uniqueName names the key; clashes get -2, -3 by appId order, whatever order Graph lists them in', () => {
    const apps = [
      { appId: 'c', displayName: 'API' },
      { appId: 'a', displayName: 'api' },
      { appId: 'b', displayName: 'Api', uniqueName: 'todo--api' },
      { appId: 'd', displayName: 'other', uniqueName: 'not a tenantform name' },
    ];
    const expected = new Map([
      ['b', 'api'],
      ['a', 'api-2'],
      ['c', 'api-3'],
      ['d', 'other'],
    ]);
    assert.deepEqual(new Map([...assignKeys(apps)].sort()), new Map([...expected].sort()));
    assert.deepEqual(new Map([...assignKeys([...apps].reverse())].sort()), new Map([...expected].sort()));
  });
});

describe('export: credential lifetimes in the manifest units', () => {
  it('rounds to the hour; years when whole, else days, else hours', () => {
    const at = (iso: string) => iso;
    assert.equal(lifetimeOf(at('2025-01-01T00:00:00Z'), at('2025-06-30T00:00:00.123Z')), '180d');
    assert.equal(lifetimeOf('2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z'), '2y');
    assert.equal(lifetimeOf('2025-01-01T00:00:00Z', '2025-01-01T12:00:10Z'), '12h');
    assert.equal(lifetimeOf(null, '2025-01-01T00:00:00Z'), undefined);
  });
});

describe('export: a user’s --filter stays one query value', () => {
  it('percent-encodes only what would end or split it', () => {
    assert.equal(
      queryValue("startswith(displayName,'a&b') and tags/any(t:t eq 'x#1+2%')"),
      "startswith(displayName,'a%26b') and tags/any(t:t eq 'x%231%2B2%25')",
    );
    assert.match(paths.applicationsFiltered("displayName eq 'x'", 'id'), /^\/applications\?\$filter=displayName eq 'x'&\$select=id&\$top=999$/);
  });
});
