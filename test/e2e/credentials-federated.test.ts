/**
 * Federated identity credentials end to end: manifests/github-deployer.yaml (no secret at all), renames as
 * delete + create, in-place updates, credentials the stack does not own, and Graph's rules checked before
 * any write.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Application, FederatedIdentityCredential } from '@microsoft/microsoft-graph-types';
import { graphWrites } from '../../src/emulator/index.js';
import { apply, plan } from '../../src/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, readDotenv, settle } from '../helpers/engine.js';

const DEPLOYER = resolve('manifests/github-deployer.yaml');

describe('manifests/github-deployer.yaml: a GitHub Actions deployment identity without a secret', () => {
  let opts: ReturnType<typeof engineOptions>;
  let objectId: string;
  const edited = (edit: (y: string) => string) => {
    const file = join(opts.cwd!, 'deployer.yaml');
    writeFileSync(file, edit(readFileSync(DEPLOYER, 'utf8')));
    return { ...opts, manifests: [file] };
  };
  const fics = async () => {
    settle(emu);
    return ((await graphClient(emu).api(`/applications/${objectId}/federatedIdentityCredentials`).get()) as { value: FederatedIdentityCredential[] }).value;
  };

  const emu = useEmulator();
  before(async () => {
    opts = engineOptions(emu, { manifests: [DEPLOYER] });
  });

  it('creates the app with three federated credentials, no secret, and converges', async () => {
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts);
    const env = readDotenv(join(opts.cwd!, 'out/github-deployer.env'));
    const app = (await graphClient(emu)
      .api(`/applications(appId='${env.AZURE_CLIENT_ID}')`)
      .select('id,passwordCredentials,keyCredentials')
      .get()) as Application;
    objectId = app.id!;
    assert.deepEqual(app.passwordCredentials, []);
    assert.deepEqual(app.keyCredentials, []);
    const byName: Record<string, FederatedIdentityCredential> = Object.fromEntries((await fics()).map((f) => [f.name, f]));
    assert.deepEqual(Object.keys(byName).sort(), ['main-branch', 'production', 'pull-requests']);
    for (const f of Object.values(byName)) {
      assert.equal(f.issuer, 'https://token.actions.githubusercontent.com');
      assert.deepEqual(f.audiences, ['api://AzureADTokenExchange']);
      assert.match(f.description ?? '', /^tenantform:stack=github-deployer /);
    }
    assert.equal(byName['main-branch'].subject, 'repo:contoso/todolist:ref:refs/heads/main');
    assert.equal(byName.production.subject, 'repo:contoso/todolist:environment:production');
    assert.equal(byName['pull-requests'].subject, 'repo:contoso/todolist:pull_request');
  });

  it('a changed subject is an in-place update; a rename is delete + create (names are immutable)', async () => {
    const o = edited((y) => y.replace('branch: main', 'branch: release').replace('name: production', 'name: prod'));
    settle(emu);
    const p = (await plan(o)).plan;
    const find = (a: string) => p.changes.filter((c) => c.action === a);
    assert.deepEqual(
      find('update-federated-credential').map((c) => c.action === 'update-federated-credential' && c.name),
      ['main-branch'],
    );
    const [del] = find('delete-federated-credential');
    const [create] = find('create-federated-credential');
    assert.ok(del && del.action === 'delete-federated-credential' && del.name === 'production');
    assert.ok(create && create.action === 'create-federated-credential' && create.name === 'prod');
    assert.ok(create.dependsOn.includes(del.id), 'the same issuer + subject must be free before the new name takes it');
    assert.ok((await apply(o)).ok);
    await assertConverged(emu, o);
    const subjects = Object.fromEntries((await fics()).map((f) => [f.name, f.subject]));
    assert.deepEqual(subjects, {
      'main-branch': 'repo:contoso/todolist:ref:refs/heads/release',
      prod: 'repo:contoso/todolist:environment:production',
      'pull-requests': 'repo:contoso/todolist:pull_request',
    });
  });

  it('never touches a federated credential the stack does not own', async () => {
    await graphClient(emu)
      .api(`/applications/${objectId}/federatedIdentityCredentials`)
      .post({ name: 'added-by-hand', issuer: 'https://example.com/issuer', subject: 'someone', audiences: ['api://AzureADTokenExchange'] });
    settle(emu);
    const o = edited((y) => y.replace(/      - name: pull-requests[\s\S]*?pullRequest: true\n/, ''));
    const p = (await plan(o)).plan;
    assert.ok(
      p.changes.some((c) => c.action === 'delete-federated-credential' && c.name === 'pull-requests'),
      JSON.stringify(p.changes),
    );
    assert.ok(!p.changes.some((c) => 'name' in c && c.name === 'added-by-hand'));
    assert.ok((await apply(o)).ok);
    await assertConverged(emu, o);
    assert.ok((await fics()).some((f) => f.name === 'added-by-hand'));
    assert.ok(!(await fics()).some((f) => f.name === 'pull-requests'));
  });

  it("checks Graph's rules before any write: issuer + subject unique, at most 20 per application", async () => {
    const dup = edited((y) =>
      y.replace('repository: ${var.repository}\n          branch: main', 'repository: ${var.repository}\n          environment: production'),
    );
    await assert.rejects(plan(dup), /VALIDATION_FAILED|error/);

    // A credential the stack does not own already holds the pair a manifest credential wants.
    await graphClient(emu)
      .api(`/applications/${objectId}/federatedIdentityCredentials`)
      .post({
        name: 'hand-made-pr',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:contoso/todolist:pull_request',
        audiences: ['api://AzureADTokenExchange'],
      });
    const extra = (i: number) =>
      graphClient(emu)
        .api(`/applications/${objectId}/federatedIdentityCredentials`)
        .post({ name: `extra-${i}`, issuer: 'https://example.com/issuer', subject: `s${i}`, audiences: ['api://AzureADTokenExchange'] });
    for (let i = 0; i < 15; i++) await extra(i);
    settle(emu);
    let mark = emu.requestLog.mark();
    await assert.rejects(apply(opts), (e: Error & { code?: string }) => e.code === 'CONFLICT' && /same issuer and subject as "hand-made-pr"/.test(e.message));
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), [], 'refused before any write');
    // 17 credentials the stack does not own + the manifest's 3 = 20: fine; one more is one too many.
    await extra(15);
    settle(emu);
    mark = emu.requestLog.mark();
    await assert.rejects(apply(opts), (e: Error & { code?: string }) => e.code === 'CONFLICT' && /would have 21 federated credentials/.test(e.message));
    assert.deepEqual(graphWrites(emu.requestLog.since(mark)), [], 'refused before any write');
  });
});
