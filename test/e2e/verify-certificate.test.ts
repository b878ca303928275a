import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { apply } from '../../src/index.js';
import { verify } from '../../src/verify/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions } from '../helpers/engine.js';

/** A daemon that authenticates with a generated certificate: verify uses the certificate the written config names. */
const MANIFEST = `
stack: verify-cert
applications:
  api:
    displayName: cert api
    identifierUris: ["api://{appId}"]
    api: { requestedAccessTokenVersion: 1 }
    appRoles:
      - value: Data.Read.All
        displayName: Data.Read.All
        description: Read all data
        allowedMemberTypes: [Application]
  daemon:
    displayName: cert daemon
    certificates:
      - name: main
        generate: { subject: "CN=verify-cert", lifetime: 90d }
    permissions:
      - api: api
        roles: [Data.Read.All]
        adminConsent: true
outputs:
  - path: out/daemon.env
    values:
      TENANT_ID: \${tenant.id}
      CLIENT_ID: \${apps.daemon.appId}
      CLIENT_CERTIFICATE_PATH: \${apps.daemon.certificate.path}
      SCOPE: \${apps.api.identifierUri}/.default
`;

describe('verify: a certificate credential', () => {
  const emu = useEmulator();

  it('gets a v1 token with ClientCertificateCredential from the written certificate path and passes', async () => {
    const opts = engineOptions(emu);
    const file = join(opts.cwd!, 'cert.yaml');
    writeFileSync(file, MANIFEST);
    const o = { ...opts, manifests: [file] };
    assert.ok((await apply(o)).ok);
    await assertConverged(emu, o);
    const r = await verify(o);
    assert.ok(
      r.ok,
      JSON.stringify(
        r.checks.filter((c) => !c.ok),
        null,
        1,
      ),
    );
    const by = Object.fromEntries(r.checks.map((c) => [c.check, c.detail]));
    assert.equal(by.credential, 'certificate from out/daemon.env:CLIENT_CERTIFICATE_PATH');
    assert.equal(by.version, 'ver 1.0');
    assert.match(by.audience, /^api:\/\/[0-9a-f-]{36}$/);
    assert.equal(by.roles, 'Data.Read.All');
  });
});
