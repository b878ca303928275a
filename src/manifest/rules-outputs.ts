/**
 * Rules about the form of outputs (which keys each format takes) and about references to certificates.
 */
import type { CertificateField } from '../model/desired.js';
import { didYouMean } from './problems.js';
import type { Reporter } from './report.js';
import type { CheckedManifest } from './checked.js';
import { chooseCredential } from './output-shapes.js';
import { outputFormat } from './schema.js';
import type { ManifestApplication, ManifestOutput } from './schema.js';

const SHAPED = ['msal-node', 'appsettings'];
const JS_IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const jsExports = (o: ManifestOutput): string[] =>
  Object.keys(o.values ?? (o.template !== null && typeof o.template === 'object' && !Array.isArray(o.template) ? o.template : {}));

/** Which keys each output format takes: flat values, a json template, or an app + credential. */
export function checkOutputForm(m: CheckedManifest, report: Reporter, index: number, o: ManifestOutput): void {
  const base = ['outputs', index];
  const format = outputFormat(o);
  const notFor = (key: keyof ManifestOutput, hint?: string) => {
    if (o[key] !== undefined) report.add('invalid-value', [...base, key], `"${key}" is not used by ${format} outputs`, { target: 'key', hint });
  };
  if (SHAPED.includes(format)) {
    notFor('values', `${format} files are built from app: and credential:`);
    notFor('template', `${format} files are built from app: and credential:`);
    if (format === 'msal-node') notFor('audience', 'audience belongs to appsettings outputs of web APIs');
    if (o.app === undefined) {
      report.add('missing-field', base, `outputs[${index}] is missing the required key "app" (the application the ${format} file configures)`, {
        target: 'key',
      });
      return;
    }
    if (!m.appKeys.has(o.app)) {
      report.add('dangling-reference', [...base, 'app'], `Output "${o.path}" names application "${o.app}", which this manifest does not declare`, {
        hint: didYouMean(o.app, m.appKeys),
      });
      return;
    }
    const app = m.apps.get(o.app);
    if (!app) return;
    const cred = chooseCredential(app, o.credential);
    if (typeof cred === 'object' && 'problem' in cred) {
      report.add('invalid-value', [...base, o.credential === undefined ? 'app' : 'credential'], `Output "${o.path}": ${cred.problem}`, { hint: cred.hint });
    } else if (format === 'msal-node' && typeof cred === 'object' && cred.kind === 'certificate' && isPfx(app, cred.name)) {
      report.add(
        'invalid-value',
        [...base, o.credential === undefined ? 'app' : 'credential'],
        `Output "${o.path}": msal-node needs the private key as PEM, but certificate "${cred.name}" is a PFX file`,
        {
          hint: 'use a PEM file (certificate + key) or generate: the certificate',
        },
      );
    } else if (format === 'appsettings' && typeof cred === 'object' && cred.kind === 'certificate' && isPemFile(app, cred.name)) {
      report.add(
        'invalid-value',
        [...base, o.credential === undefined ? 'app' : 'credential'],
        `Output "${o.path}": Microsoft.Identity.Web loads certificates from disk as PFX, but certificate "${cred.name}" is a PEM file`,
        {
          hint: 'use a .pfx file (with passwordEnv) or generate: the certificate (tenantform writes a .pfx beside it)',
        },
      );
    }
    return;
  }
  for (const key of ['app', 'credential', 'scopes', 'audience'] as const)
    notFor(key, 'app, credential, scopes and audience belong to msal-node and appsettings outputs');
  if (format !== 'js') notFor('module', 'module: chooses between an ES module and a classic script for js outputs');
  if (format === 'dotenv') {
    notFor('template', 'template: makes a json file');
    if (o.values === undefined) report.add('missing-field', base, `outputs[${index}] is missing the required key "values"`, { target: 'key' });
  } else if (format === 'js' && !jsExports(o).every((k) => JS_IDENTIFIER.test(k))) {
    const bad = jsExports(o).find((k) => !JS_IDENTIFIER.test(k));
    report.add(
      'invalid-value',
      [...base, o.template !== undefined ? 'template' : 'values', String(bad)],
      `Output "${o.path}" would export "${bad}", which is not a JavaScript name`,
      {
        target: 'key',
        hint: 'js outputs export each top-level key (export const msalConfig = …): use letters, digits, _ and $',
      },
    );
  } else if (format === 'js' && o.template !== undefined && (o.template === null || typeof o.template !== 'object' || Array.isArray(o.template))) {
    report.add('invalid-value', [...base, 'template'], `Output "${o.path}": a js template is a mapping of the names to export`, {
      hint: 'e.g. template: { msalConfig: {...}, loginRequest: {...} }',
    });
  } else if (o.values === undefined && o.template === undefined) {
    report.add('missing-field', base, `outputs[${index}] needs "values" (flat keys) or "template" (a document of any shape)`, { target: 'key' });
  } else if (o.values !== undefined && o.template !== undefined) {
    report.add('invalid-value', [...base, 'template'], `Output "${o.path}" has both values and template; use one`, { target: 'key' });
  }
}

function isPemFile(app: ManifestApplication, name: string): boolean {
  const c = app.certificates.find((x) => x.name === name);
  return !!c?.file && !/\.(pfx|p12)$/i.test(c.file);
}

function isPfx(app: ManifestApplication, name: string): boolean {
  const c = app.certificates.find((x) => x.name === name);
  return !!c?.file && /\.(pfx|p12)$/i.test(c.file);
}

/** `${apps.KEY.certificates.NAME.FIELD}` / `${apps.KEY.certificate.FIELD}` name a certificate the application has. */
export function checkCertificateRef(
  report: Reporter,
  at: Array<string | number>,
  raw: string,
  appKey: string,
  app: ManifestApplication,
  name: string | undefined,
  field: CertificateField,
): void {
  const names = app.certificates.map((c) => c.name);
  if (name === undefined) {
    if (names.length === 0) {
      report.add('dangling-reference', at, `${raw}: application "${appKey}" has no certificates`, {
        needle: raw,
        hint: 'add certificates: [{name: main, generate: {subject: CN=…}}]',
      });
      return;
    }
    if (names.length > 1) {
      report.add('invalid-reference', at, `${raw} is ambiguous: application "${appKey}" has ${names.length} certificates`, {
        needle: raw,
        hint: `name one: ${names.map((n) => `\${apps.${appKey}.certificates.${n}.${field}}`).join(', ')}`,
      });
      return;
    }
    name = names[0];
  } else if (!names.includes(name)) {
    report.add('dangling-reference', at, `${raw}: application "${appKey}" has no certificate "${name}"`, { needle: raw, hint: didYouMean(name, names) });
    return;
  }
  if ((field === 'pfxPath' || field === 'pfxPassword') && isPemFile(app, name)) {
    report.add('invalid-reference', at, `${raw}: certificate "${name}" is a PEM file, so there is no PFX to name`, {
      needle: raw,
      hint: 'use path (the PEM), or a .pfx file, or generate: (tenantform writes a .pfx too)',
    });
  }
  if ((field === 'privateKey' || field === 'pem') && isPfx(app, name)) {
    report.add('invalid-reference', at, `${raw}: certificate "${name}" is a PFX file, so its private key is not available as PEM`, {
      needle: raw,
      hint: 'use pfxPath and pfxPassword, or a PEM file',
    });
  }
}
