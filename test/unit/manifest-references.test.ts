import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyRef, escapeTemplateText, parseTemplate } from '../../src/manifest/references.js';

describe('parseTemplate', () => {
  test('text and references with their offsets', () => {
    assert.deepEqual(parseTemplate('a${var.x}b${ apps.api.appId }').tokens, [
      { kind: 'text', text: 'a' },
      { kind: 'ref', raw: '${var.x}', index: 1, path: ['var', 'x'] },
      { kind: 'text', text: 'b' },
      { kind: 'ref', raw: '${ apps.api.appId }', index: 10, path: ['apps', 'api', 'appId'] },
    ]);
  });
  test('$${ escapes, and {appId} is plain text', () => {
    assert.deepEqual(parseTemplate('$${var.x} api://{appId}').tokens, [{ kind: 'text', text: '${var.x} api://{appId}' }]);
  });
  test('errors', () => {
    assert.deepEqual(
      parseTemplate('${var.x').errors.map((e) => e.index),
      [0],
    );
    assert.deepEqual(
      parseTemplate('ok ${a b}').errors.map((e) => e.raw),
      ['${a b}'],
    );
    assert.deepEqual(parseTemplate('${}').errors.length, 1);
  });
  test('escapeTemplateText is undone by parseTemplate', () => {
    const s = 'x ${y} $${z}';
    assert.deepEqual(parseTemplate(escapeTemplateText(s)).tokens, [{ kind: 'text', text: s }]);
  });
});

describe('classifyRef', () => {
  const cases: Array<[string, string]> = [
    ['var.name', 'var'],
    ['var.a.b', 'invalid'],
    ['tenant.id', 'tenant'],
    ['tenant.subdomain', 'tenant'],
    ['tenant.authority', 'tenant'],
    ['tenant.name', 'invalid'],
    ['apps.api.appId', 'app'],
    ['apps.api.identifierUri', 'app'],
    ['apps.api.secret', 'app'],
    ['apps.api.secrets.main', 'app'],
    ['apps.api.secrets', 'invalid'],
    ['apps.api.objectId', 'invalid'],
    ['env.HOME', 'invalid'],
  ];
  for (const [path, kind] of cases) {
    test(`${path} → ${kind}`, () => assert.equal(classifyRef(path.split('.')).kind, kind));
  }
});
