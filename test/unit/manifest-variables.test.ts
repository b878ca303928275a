/**
 * Variables: precedence, defaults that use other variables, cycles, escapes, and where they may appear.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TenantformError } from '../../src/errors.js';
import { parseVarArgs } from '../../src/manifest/variables.js';
import { check, codes, only } from '../helpers/manifests.js';

const manifest = (variables: string, displayName = '${var.name}') => `stack: s
variables:
${variables}
applications:
  a:
    displayName: "${displayName}"
`;
const displayNameOf = (yaml: string, opts = {}) => {
  const r = check(yaml, opts);
  assert.deepEqual(r.problems, []);
  return r.stacks[0].applications[0].displayName;
};

describe('values', () => {
  const vars = '  name: {default: from-default}';
  test('--var beats the environment, which beats the default', () => {
    assert.equal(displayNameOf(manifest(vars)), 'from-default');
    assert.equal(displayNameOf(manifest(vars), { env: { TENANTFORM_VAR_name: 'from-env' } }), 'from-env');
    assert.equal(displayNameOf(manifest(vars), { env: { TENANTFORM_VAR_name: 'from-env' }, vars: { name: 'from-cli' } }), 'from-cli');
  });
  test('an empty --var value is a value', () => {
    assert.equal(displayNameOf(manifest(vars, 'x${var.name}'), { vars: { name: '' } }), 'x');
  });
  test('defaults may use other variables, in any declaration order', () => {
    const yaml = manifest('  name: {default: "${var.prefix}-api"}\n  prefix: {default: "${var.env}-todo"}\n  env: {default: dev}');
    assert.equal(displayNameOf(yaml), 'dev-todo-api');
    assert.equal(displayNameOf(yaml, { vars: { env: 'prod' } }), 'prod-todo-api');
  });
  test('numbers and booleans as defaults become strings', () => {
    assert.equal(displayNameOf(manifest('  n: {default: 3}\n  b: {default: true}', 'v${var.n}-${var.b}')), 'v3-true');
  });
  test('the resolved values are part of the desired stack', () => {
    assert.deepEqual(check(manifest(vars)).stacks[0].variables, { name: 'from-default' });
  });
  test('a variable in the stack name', () => {
    const r = check('stack: todo-${var.env}\nvariables:\n  env: {default: dev}\n');
    assert.equal(r.stacks[0].name, 'todo-dev');
  });
  test('$${ is a literal ${', () => {
    assert.equal(displayNameOf(manifest(vars, '$${var.name} = ${var.name}')), '${var.name} = from-default');
  });
});

describe('problems', () => {
  test('an undeclared variable, with a did-you-mean hint, at the reference', () => {
    const p = only(manifest('  name: {default: x}', '${var.nmae}'));
    assert.equal(p.code, 'dangling-reference');
    assert.equal(p.message, 'Variable "nmae" is not declared');
    assert.equal(p.hint, 'did you mean "name"?');
    assert.deepEqual([p.location.line, p.location.column], [6, 19]);
  });
  test('a variable without value is reported once, at its declaration, and nothing cascades from it', () => {
    const yaml = `stack: s
variables:
  roleId:
applications:
  a:
    displayName: a
    appRoles: [{value: A, id: "\${var.roleId}", displayName: A, description: A, allowedMemberTypes: [Application]}]
`;
    assert.deepEqual(codes(yaml), ['unresolved-variable variables.roleId']);
  });
  test('a self-reference is a cycle', () => {
    const p = only(manifest('  name: {default: "${var.name}!"}'));
    assert.equal(p.code, 'reference-cycle');
    assert.equal(p.message, 'Variable defaults form a cycle: name → name');
  });
  test('a cycle is reported once, not for every variable that depends on it', () => {
    const yaml = manifest('  name: {default: "${var.a}"}\n  a: {default: "${var.b}"}\n  b: {default: "${var.c}"}\n  c: {default: "${var.a}"}');
    assert.deepEqual(codes(yaml), ['reference-cycle variables.a.default']);
    assert.equal(check(yaml).problems[0].message, 'Variable defaults form a cycle: a → b → c → a');
  });
  test('defaults are checked even when --var gives the value (validity does not depend on the run)', () => {
    assert.deepEqual(codes(manifest('  name: {default: "${var.name}!"}'), { vars: { name: 'ok' } }), ['reference-cycle variables.name.default']);
    assert.deepEqual(codes(manifest('  name: {default: "${var.other}"}'), { vars: { name: 'ok' } }), ['dangling-reference variables.name.default']);
  });
  test('only ${var.*} in defaults', () => {
    assert.deepEqual(codes(manifest('  name: {default: "${tenant.id}"}')), ['invalid-reference variables.name.default']);
  });
  test('malformed and unterminated references', () => {
    assert.deepEqual(codes(manifest('  name: {default: x}', '${var.}')), ['invalid-reference applications.a.displayName']);
    assert.deepEqual(codes(manifest('  name: {default: x}', '${var.name')), ['invalid-reference applications.a.displayName']);
  });
  test('variable names must work as environment variable names', () => {
    assert.deepEqual(codes('stack: s\nvariables:\n  my-var: {default: x}\n'), ['invalid-value variables.my-var']);
  });
  test('--var of an undeclared variable', () => {
    assert.deepEqual(codes(manifest('  name: {default: x}'), { vars: { nam: 'y' } }), ['unknown-variable']);
  });
});

describe('in output values', () => {
  const yaml = (value: string) => `stack: s
variables:
  v: {default: "\${tenant.id}"}
  w: {default: plain}
outputs:
  - path: out/x.env
    values: {A: "${value}"}
`;
  test('variables are substituted; their text never becomes a reference', () => {
    // A default may not hold ${tenant.id}, but a value given on the command line is just text.
    assert.deepEqual(codes(yaml('x')), ['invalid-reference variables.v.default']);
    const ok = check(yaml('${var.v}/${var.w}/${tenant.id}').replace('"${tenant.id}"', 'x'), { vars: { v: '${tenant.id}' } });
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.stacks[0].outputs[0].values[0].parts, [{ text: '${tenant.id}/plain/' }, { ref: { kind: 'tenant', field: 'id' } }]);
  });
});

describe('parseVarArgs', () => {
  test('name=value, values may contain =', () => {
    assert.deepEqual(parseVarArgs(['a=1', 'b=x=y', 'c=']), { a: '1', b: 'x=y', c: '' });
    assert.deepEqual(parseVarArgs(undefined), {});
  });
  for (const bad of ['novalue', '=x', '1a=x', 'a-b=x']) {
    test(`rejects ${bad}`, () => {
      assert.throws(
        () => parseVarArgs([bad]),
        (e: unknown) => e instanceof TenantformError && e.code === 'USAGE',
      );
    });
  }
});
