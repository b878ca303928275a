import { TenantformError } from '../errors.js';
import { readAdoptions } from '../graph/adoption.js';
import type { DesiredApplication, DesiredStack } from '../model/desired.js';
import { SNAPSHOT_FORMAT_VERSION, type ImportSnapshot } from '../model/snapshot.js';
import type { ImportOptions } from '../options.js';
import { stackSuffixOf } from '../manifest/stack-suffix.js';
import { SecretStore } from '../outputs/secret-cache.js';
import type { Gathered } from './types.js';
import { connect } from './connect.js';
import { loadStacks } from './manifests.js';
import { GUID } from '../model/guid.js';

/** gather for import: each application to adopt by appId, its SP, and whatever holds the uniqueName it should get. */
export async function gatherImport(opts: ImportOptions): Promise<Gathered<ImportSnapshot>> {
  const cwd = opts.cwd ?? process.cwd();
  const { stacks } = await loadStacks({ ...opts, cwd });
  const suffix = stackSuffixOf(opts);
  const wanted = Object.entries(opts.apps).map(([name, appId]) => ({ ...findApp(stacks, name, suffix), appId }));
  if (!wanted.length) throw new TenantformError('USAGE', 'Name at least one application to adopt: --app <key>=<appId>.');
  for (const w of wanted) {
    if (!GUID.test(w.appId)) throw new TenantformError('USAGE', `"${w.appId}" is not an appId (a GUID) for application "${w.app.key}".`);
    if (wanted.filter((x) => x.appId.toLowerCase() === w.appId.toLowerCase()).length > 1)
      throw new TenantformError('USAGE', `appId ${w.appId} is given for more than one application.`);
  }
  const connection = await connect(opts);
  try {
    const { tenant, reads } = await readAdoptions(
      connection.transport,
      wanted.map((w) => ({ appId: w.appId, uniqueName: w.app.uniqueName })),
      connection.deadline,
    );
    const snapshot: ImportSnapshot = {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      operation: 'import',
      now: Date.now(),
      tenant: {
        id: tenant.id,
        kind: connection.target.kind,
        identity: connection.identity,
        type: tenant.tenantType,
        authorityHost: connection.target.authorityHost,
      },
      adoptions: wanted.map((w, i) => ({ stack: w.stack.name, desired: w.app, ...reads[i] })),
    };
    const secrets = SecretStore.forTenant(tenant.id, opts.secretsDir ?? `${cwd}/.tenantform/secrets`, { onWrite: opts.onWrite });
    return { snapshot, io: { connection, secrets, cwd, close: () => connection.close() } };
  } catch (e) {
    await connection.close();
    throw e;
  }
}

/** `key` or `<stack>/<key>` (the manifest's stack name, with or without the suffix). */
export function findApp(stacks: DesiredStack[], name: string, suffix: string | undefined): { stack: DesiredStack; app: DesiredApplication } {
  const [stackName, key] = name.includes('/') ? name.split('/', 2) : [undefined, name];
  const named = (s: DesiredStack) => stackName === undefined || s.name === stackName || (!!suffix && s.name === `${stackName}-${suffix}`);
  const matches = stacks.flatMap((s) => s.applications.filter((a) => a.key === key && named(s)).map((a) => ({ stack: s, app: a })));
  if (matches.length === 1) return matches[0];
  if (!matches.length) {
    const known = [...new Set(stacks.flatMap((s) => s.applications.map((a) => a.key)))];
    throw new TenantformError('USAGE', `No application "${name}" in the manifests (known: ${known.join(', ') || 'none'}).`, { app: name });
  }
  throw new TenantformError(
    'USAGE',
    `Application "${name}" is in several stacks (${matches.map((m) => m.stack.name).join(', ')}); write --app <stack>/<key>=<appId>.`,
    { app: name },
  );
}
