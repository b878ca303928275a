/**
 * Documents of json `template:`, msal-node and appsettings outputs as JSON templates (string leaves are
 * `${...}` templates). msal-node and appsettings are written in the shapes those libraries read:
 * - msal-node Configuration (https://learn.microsoft.com/entra/msal/javascript/node/configuration):
 *   `{ auth: { clientId, authority, knownAuthorities, clientSecret | clientCertificate: { thumbprintSha256, privateKey } } }`
 *   — the file can be passed to `new ConfidentialClientApplication(config)` as is.
 * - Microsoft.Identity.Web's "AzureAd" section (https://learn.microsoft.com/entra/msidweb/authentication/credentials-overview):
 *   `{ AzureAd: { Instance, TenantId, ClientId, Audience?, Scopes?, ClientCredentials: [{ SourceType, … }] } }`.
 */
import type { JsonTemplate, TemplatePart } from '../model/desired.js';
import type { ManifestApplication, ManifestOutput } from './schema.js';

export type CredentialChoice = { kind: 'secret'; name: string } | { kind: 'certificate'; name: string };

/**
 * Which credential an msal-node/appsettings output carries: `credential: secrets.NAME | certificates.NAME`,
 * else the application's only secret or certificate. `none` when it has neither (e.g. a web API's appsettings).
 */
export function chooseCredential(app: ManifestApplication, credential: string | undefined): CredentialChoice | 'none' | { problem: string; hint?: string } {
  const secrets = app.secrets.map((s) => s.name);
  const certs = app.certificates.map((c) => c.name);
  if (credential !== undefined) {
    const m = /^(secrets|certificates)\.([A-Za-z][A-Za-z0-9_-]*)$/.exec(credential);
    if (!m) return { problem: `credential "${credential}" must be secrets.NAME or certificates.NAME` };
    const names = m[1] === 'secrets' ? secrets : certs;
    if (!names.includes(m[2]))
      return {
        problem: `the application has no ${m[1] === 'secrets' ? 'secret' : 'certificate'} "${m[2]}"`,
        hint: names.length ? `its ${m[1]}: ${names.join(', ')}` : undefined,
      };
    return { kind: m[1] === 'secrets' ? 'secret' : 'certificate', name: m[2] };
  }
  const all = [...secrets.map((n) => `secrets.${n}`), ...certs.map((n) => `certificates.${n}`)];
  if (all.length === 0) return 'none';
  if (all.length > 1) return { problem: `the application has ${all.length} credentials; name one with credential:`, hint: `one of ${all.join(', ')}` };
  return secrets.length ? { kind: 'secret', name: secrets[0] } : { kind: 'certificate', name: certs[0] };
}

type Parse = (template: string) => TemplatePart[];

const t = (parse: Parse, s: string): JsonTemplate => ({ parts: parse(s) });
const obj = (entries: Array<[string, JsonTemplate | undefined]>): JsonTemplate => ({
  object: entries.filter((e): e is [string, JsonTemplate] => e[1] !== undefined),
});

/** Any JSON value from the manifest: strings become templates. */
export function jsonTemplate(value: unknown, parse: Parse): JsonTemplate {
  if (typeof value === 'string') return t(parse, value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => jsonTemplate(v, parse));
  return { object: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonTemplate(v, parse)]) };
}

function scopesOf(o: ManifestOutput, parse: Parse): JsonTemplate | undefined {
  if (o.scopes === undefined) return undefined;
  return typeof o.scopes === 'string' ? t(parse, o.scopes) : o.scopes.map((s) => t(parse, s));
}

export function msalNodeShape(o: ManifestOutput, cred: CredentialChoice | 'none', parse: Parse): JsonTemplate {
  const a = o.app!;
  const credential: Array<[string, JsonTemplate | undefined]> =
    cred === 'none'
      ? []
      : cred.kind === 'secret'
        ? [['clientSecret', t(parse, `\${apps.${a}.secrets.${cred.name}}`)]]
        : [
            [
              'clientCertificate',
              obj([
                ['thumbprintSha256', t(parse, `\${apps.${a}.certificates.${cred.name}.thumbprintSha256}`)],
                ['privateKey', t(parse, `\${apps.${a}.certificates.${cred.name}.privateKey}`)],
              ]),
            ],
          ];
  return obj([
    [
      'auth',
      obj([
        ['clientId', t(parse, `\${apps.${a}.appId}`)],
        ['authority', t(parse, '${tenant.authority}')],
        // Skips instance discovery (required for CIAM hosts and the local emulator; harmless elsewhere).
        ['knownAuthorities', [t(parse, '${tenant.authorityHost}')]],
        ...credential,
      ]),
    ],
    ['scopes', scopesOf(o, parse)],
  ]);
}

export function appSettingsShape(o: ManifestOutput, cred: CredentialChoice | 'none', parse: Parse): JsonTemplate {
  const a = o.app!;
  // Identity.Web loads certificates from disk as PKCS#12 only (SourceType Path), so a certificate is
  // described by its .pfx (generated certificates get one beside their PEM; see docs/credentials.md).
  const credentials: JsonTemplate | undefined =
    cred === 'none'
      ? undefined
      : cred.kind === 'secret'
        ? [
            obj([
              ['SourceType', t(parse, 'ClientSecret')],
              ['ClientSecret', t(parse, `\${apps.${a}.secrets.${cred.name}}`)],
            ]),
          ]
        : [
            obj([
              ['SourceType', t(parse, 'Path')],
              ['CertificateDiskPath', t(parse, `\${apps.${a}.certificates.${cred.name}.pfxPath}`)],
              ['CertificatePassword', t(parse, `\${apps.${a}.certificates.${cred.name}.pfxPassword}`)],
            ]),
          ];
  return obj([
    [
      'AzureAd',
      obj([
        ['Instance', t(parse, '${tenant.instance}')],
        ['TenantId', t(parse, '${tenant.id}')],
        ['ClientId', t(parse, `\${apps.${a}.appId}`)],
        ['Audience', o.audience === undefined ? undefined : t(parse, o.audience)],
        ['Scopes', scopesOf(o, parse)],
        ['ClientCredentials', credentials],
      ]),
    ],
  ]);
}

/** The document of a shaped output (json `template:`, msal-node, appsettings); null for flat outputs. */
export function outputShape(o: ManifestOutput, format: string, apps: Record<string, ManifestApplication>, parse: Parse): JsonTemplate | null {
  if ((format === 'json' || format === 'js') && o.template !== undefined) return jsonTemplate(o.template, parse);
  if (format !== 'msal-node' && format !== 'appsettings') return null;
  const cred = chooseCredential(apps[o.app!], o.credential);
  // Validation has rejected a bad choice before normalization runs.
  if (typeof cred === 'object' && 'problem' in cred) throw new Error(`internal: ${cred.problem}`);
  return format === 'msal-node' ? msalNodeShape(o, cred, parse) : appSettingsShape(o, cred, parse);
}
