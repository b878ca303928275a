/**
 * src/cli/output.ts: exit codes, color rules, error rendering.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TenantformError } from '../../src/errors.js';
import { emit, emitError, exitCodeFor, outputContext, type CommandResult } from '../../src/cli/output.js';

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (c: string) => chunks.push(c), text: () => chunks.join('') };
}

describe('exit codes', () => {
  const cases: Array<[Parameters<typeof exitCodeFor>[0], boolean, number]> = [
    ['ok', false, 0],
    ['ok', true, 0],
    ['changes', false, 0],
    ['changes', true, 2],
    ['invalid', false, 1],
    ['error', true, 1],
  ];
  for (const [outcome, detailed, code] of cases) {
    test(`${outcome}${detailed ? ' --detailed-exitcode' : ''} → ${code}`, () => assert.equal(exitCodeFor(outcome, { detailedExitCode: detailed }), code));
  }
});

describe('color', () => {
  const result: CommandResult = { outcome: 'ok', data: {}, text: (s) => s.red('x') };
  const cases: Array<[string, boolean, Record<string, string>, boolean]> = [
    ['TTY', true, {}, true],
    ['not a TTY', false, {}, false],
    ['NO_COLOR on a TTY', true, { NO_COLOR: '1' }, false],
    ['empty NO_COLOR is not set', true, { NO_COLOR: '' }, true],
    ['TERM=dumb', true, { TERM: 'dumb' }, false],
    ['FORCE_COLOR without a TTY', false, { FORCE_COLOR: '1' }, true],
  ];
  for (const [name, tty, env, colored] of cases) {
    test(name, () => {
      const stdout = sink(tty);
      emit(outputContext({ stdout, stderr: sink(), env }), 'x', result);
      assert.equal(stdout.text().includes('\u001b['), colored);
    });
  }
  test('never with --json', () => {
    const stdout = sink(true);
    emit(outputContext({ json: true, stdout, stderr: sink(), env: { FORCE_COLOR: '1' } }), 'x', { ...result, data: { a: 1 } });
    assert.deepEqual(JSON.parse(stdout.text()), { ok: true, command: 'x', a: 1 });
  });
});

describe('errors', () => {
  test('a user error: code and message, problems listed, no stack', () => {
    const stdout = sink();
    const stderr = sink();
    const err = new TenantformError('VALIDATION_FAILED', 'The manifests have 1 error', {
      problems: [{ code: 'unknown-key', severity: 'error', message: 'Unknown key "x"', location: { file: 'm.yaml', line: 2, column: 1 } }],
    });
    assert.equal(emitError(outputContext({ stdout, stderr, env: {} }), 'plan', err), 1);
    assert.equal(stderr.text(), 'm.yaml:2:1  error  unknown-key  Unknown key "x"\nerror [VALIDATION_FAILED] The manifests have 1 error\n');
    assert.equal(stdout.text(), '');
  });
  test('a bug: says so, stack only with TENANTFORM_DEBUG', () => {
    const quiet = sink();
    emitError(outputContext({ stdout: sink(), stderr: quiet, env: {} }), 'plan', new TypeError('boom'));
    assert.match(quiet.text(), /^internal error \(a bug in tenantform, please report it\): boom\n/);
    assert.doesNotMatch(quiet.text(), /\n\s+at /);
    const debug = sink();
    emitError(outputContext({ stdout: sink(), stderr: debug, env: { TENANTFORM_DEBUG: '1' } }), 'plan', new TypeError('boom'));
    assert.match(debug.text(), /\n\s+at /);
  });
  test('--json errors are JSON on stdout', () => {
    const stdout = sink();
    emitError(outputContext({ json: true, stdout, stderr: sink(), env: {} }), 'validate', new TenantformError('USAGE', 'bad'));
    assert.deepEqual(JSON.parse(stdout.text()), { ok: false, command: 'validate', error: { code: 'USAGE', message: 'bad' } });
  });
});
