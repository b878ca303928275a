import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { EXAMPLE_MANIFEST, freePort, runCli, tempCwd, type CliRun } from '../helpers/cli-engine.js';
import { readDotenv } from '../helpers/engine.js';

/**
 * In GitHub Actions (GITHUB_ACTIONS=true), issue 14: the plan and the result are appended as Markdown to the job
 * summary ($GITHUB_STEP_SUMMARY), and the long parts of the log (the plan, the progress) are folded into groups;
 * the tenant line and the result stay in view. Nothing of it holds a secret.
 */
describe('GitHub Actions: job summary and groups', () => {
  const cwd = tempCwd('tenantform-gha-');
  const summary = join(cwd, 'step-summary.md');
  let plan: CliRun;
  let apply: CliRun;
  let markdown: string;
  let ghaPort: string;

  before(async () => {
    mkdirSync(join(cwd, 'manifests'));
    copyFileSync(EXAMPLE_MANIFEST, join(cwd, 'manifests/todolist-daemon.yaml'));
    ghaPort = String(await freePort());
    const env = { TENANTFORM_LOCAL_PORT: ghaPort, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary };
    plan = await runCli(['plan', 'manifests/todolist-daemon.yaml'], { cwd, env });
    apply = await runCli(['apply', 'manifests/todolist-daemon.yaml', '--yes'], { cwd, env });
    markdown = readFileSync(summary, 'utf8');
  });

  it('plan and apply each append a section: the plan in a folded diff block', () => {
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(apply.code, 0, apply.stderr);
    const sections = markdown.split('\n').filter((l) => l.startsWith('### '));
    assert.deepEqual(sections, ['### tenantform plan: Plan: 7 to add, 3 to change, 0 to remove.', '### tenantform apply: Applied 10 of 10 changes.']);
    assert.match(markdown, /<details><summary>Plan: 7 to add, 3 to change, 0 to remove\.<\/summary>\n\n```diff\n/);
    assert.match(markdown, /^\+ create service principal for ciam-ToDoList-api {2}#/m);
  });

  it('the result: a row per change with its duration, the created objects with their ids, the files written', () => {
    const rows = markdown.split('\n').filter((l) => /^\| .* \| ✅ done \| \d/.test(l));
    assert.equal(rows.length, 10, markdown);
    const config = readDotenv(join(cwd, 'out/todolist-daemon.env'));
    assert.ok(markdown.includes(`| ciam-client-app | \`todolist-daemon--daemon\` | \`${config.CLIENT_ID}\` |`), markdown);
    assert.ok(markdown.includes(`| ciam-ToDoList-api | \`todolist-daemon--api\` | \`${config.WEB_API_CLIENT_ID}\` |`), markdown);
    assert.match(markdown, /^Files written: `out\/todolist-daemon\.env`$/m);
    assert.ok(!markdown.includes(config.CLIENT_SECRET) && !(apply.stdout + apply.stderr).includes(config.CLIENT_SECRET));
  });

  it('the log: the plan and the progress folded into groups, the tenant line and the result outside them', () => {
    const out = apply.stdout.split('\n');
    assert.match(out[0], /^Tenant /);
    assert.equal(out[2], '::group::Plan: 7 to add, 3 to change, 0 to remove.');
    const end = out.indexOf('::endgroup::');
    assert.ok(end > 2 && out.indexOf('Applied 10 of 10 changes.') > end, apply.stdout);
    const err = apply.stderr.split('\n');
    const open = err.findIndex((l) => l.startsWith('::group::Applying 10 changes'));
    const close = err.indexOf('::endgroup::');
    assert.ok(open >= 0 && close > open, apply.stderr);
    assert.equal(err.slice(open + 1, close).filter((l) => l.startsWith('  ✓ ')).length, 10);
  });

  it('destroy appends its plan and result too', async () => {
    const env = { TENANTFORM_LOCAL_PORT: ghaPort, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary };
    const r = await runCli(['destroy', 'manifests/todolist-daemon.yaml', '--yes'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const md = readFileSync(summary, 'utf8');
    assert.match(md, /^### tenantform destroy: 7 of 7 changes done$/m);
    assert.match(md, /^\| deleted application "ciam-client-app" .* \| ✅ done \| /m);
    assert.match(r.stderr, /^::group::Destroying 7 changes in 3 waves/m);
  });

  it('outside GitHub Actions: no summary, no group markers', async () => {
    const other = tempCwd('tenantform-nogha-');
    mkdirSync(join(other, 'manifests'));
    copyFileSync(EXAMPLE_MANIFEST, join(other, 'manifests/todolist-daemon.yaml'));
    const file = join(other, 'summary.md');
    const r = await runCli(['apply', 'manifests/todolist-daemon.yaml', '--yes'], {
      cwd: other,
      env: { TENANTFORM_LOCAL_PORT: String(await freePort()), GITHUB_ACTIONS: 'false', GITHUB_STEP_SUMMARY: file },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(file), false);
    assert.doesNotMatch(r.stdout + r.stderr, /::group::|::endgroup::/);
  });
});
