import type { CertificateField } from '../model/desired.js';

/**
 * `${...}` references inside manifest strings.
 *
 * - `${var.NAME}`: a variable; usable in any string value.
 * - In output values only: `${tenant.id}`, `${tenant.subdomain}`, `${tenant.authority}`,
 *   `${apps.KEY.appId}`, `${apps.KEY.identifierUri}`, `${apps.KEY.scopes.VALUE}`, `${apps.KEY.secret}`, `${apps.KEY.secrets.NAME}`,
 *   `${apps.KEY.certificate.FIELD}`, `${apps.KEY.certificates.NAME.FIELD}`, `${tenant.instance}`, `${tenant.authorityHost}`.
 * - `$${` is a literal `${`.
 * `{appId}` (no dollar) is not a reference: it is the identifier URI placeholder, filled in by apply.
 */

export type TemplateToken =
  | { kind: 'text'; text: string }
  /** `raw` is the exact source text (`${ var.x }`), `index` its offset in the string, `path` the dotted parts. */
  | { kind: 'ref'; raw: string; index: number; path: string[] };

export interface TemplateSyntaxError {
  raw: string;
  index: number;
  message: string;
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function hasTemplateSyntax(s: string): boolean {
  return s.includes('${');
}

/** Split a string into literal text and references. Malformed references are reported and kept as text. */
export function parseTemplate(s: string): { tokens: TemplateToken[]; errors: TemplateSyntaxError[] } {
  const tokens: TemplateToken[] = [];
  const errors: TemplateSyntaxError[] = [];
  let text = '';
  let i = 0;
  const flush = (): void => {
    if (text) tokens.push({ kind: 'text', text });
    text = '';
  };
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!s.startsWith('${', i)) {
      // Up to the next `$`: nothing before it can start a reference or an escape.
      const next = s.indexOf('$', i + 1);
      const end = next < 0 ? s.length : next;
      text += s.slice(i, end);
      i = end;
      continue;
    }
    const close = s.indexOf('}', i + 2);
    if (close < 0) {
      errors.push({ raw: s.slice(i), index: i, message: `Unterminated reference "${s.slice(i)}": missing "}"` });
      text += s.slice(i);
      break;
    }
    const raw = s.slice(i, close + 1);
    const path = raw.slice(2, -1).trim().split('.');
    if (path.every((p) => SEGMENT.test(p))) {
      flush();
      tokens.push({ kind: 'ref', raw, index: i, path });
    } else {
      errors.push({ raw, index: i, message: `Malformed reference "${raw}": expected names joined by dots, like \${var.name}` });
      text += raw;
    }
    i = close + 1;
  }
  flush();
  return { tokens, errors };
}

/** Make literal text safe to embed in a template (inverse of the `$${` escape). */
export function escapeTemplateText(s: string): string {
  return s.split('${').join('$${');
}

/** What a reference path means, before checking that its target exists. */
export type ClassifiedRef =
  | { kind: 'var'; name: string }
  | { kind: 'tenant'; field: 'id' | 'subdomain' | 'authority' }
  | { kind: 'app'; app: string; field: 'appId' | 'identifierUri' | 'secret' }
  | { kind: 'app'; app: string; field: 'secrets'; secret: string }
  /** `${apps.KEY.scopes.VALUE}`: a delegated scope as clients request it (VALUE may contain dots). */
  | { kind: 'app'; app: string; field: 'scope'; scope: string }
  /** `${apps.KEY.certificates.NAME.FIELD}`, or `${apps.KEY.certificate.FIELD}` (certificate undefined: the only one). */
  | { kind: 'app'; app: string; field: 'certificate'; certificate?: string; certField: CertificateField }
  | { kind: 'invalid'; message: string; hint?: string };

export const TENANT_FIELDS = ['id', 'subdomain', 'authority', 'instance', 'authorityHost'] as const;
export const CERTIFICATE_FIELDS: readonly CertificateField[] = [
  'path',
  'thumbprint',
  'thumbprintSha256',
  'keyId',
  'privateKey',
  'pem',
  'pfxPath',
  'pfxPassword',
];
export const APP_FIELDS = [
  'appId',
  'identifierUri',
  'scopes.<value>',
  'secret',
  'secrets.<name>',
  'certificate.<field>',
  'certificates.<name>.<field>',
] as const;
const OUTPUT_FORMS =
  '${var.NAME}, ${tenant.id|subdomain|authority|instance|authorityHost} or ${apps.KEY.appId|identifierUri|secret|secrets.NAME|certificates.NAME.path}';

export function classifyRef(path: readonly string[]): ClassifiedRef {
  const [ns, a, b, c] = path;
  const raw = `\${${path.join('.')}}`;
  if (ns === 'var') {
    return path.length === 2 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(a)
      ? { kind: 'var', name: a }
      : { kind: 'invalid', message: `Reference ${raw} is not a variable reference`, hint: 'write ${var.NAME}' };
  }
  if (ns === 'tenant') {
    if (path.length === 2 && (TENANT_FIELDS as readonly string[]).includes(a)) return { kind: 'tenant', field: a as 'id' };
    return {
      kind: 'invalid',
      message: `Reference ${raw} does not name a tenant value`,
      hint: `use one of ${TENANT_FIELDS.map((f) => `\${tenant.${f}}`).join(', ')}`,
    };
  }
  if (ns === 'apps') {
    if (path.length === 3 && (b === 'appId' || b === 'identifierUri' || b === 'secret')) return { kind: 'app', app: a, field: b };
    if (path.length === 4 && b === 'secrets') return { kind: 'app', app: a, field: 'secrets', secret: c };
    if (path.length >= 4 && b === 'scopes') return { kind: 'app', app: a, field: 'scope', scope: path.slice(3).join('.') };
    const certField = (f: string | undefined) => ((CERTIFICATE_FIELDS as readonly string[]).includes(f ?? '') ? (f as CertificateField) : undefined);
    if (path.length === 4 && b === 'certificate' && certField(c)) return { kind: 'app', app: a, field: 'certificate', certField: certField(c)! };
    if (path.length === 5 && b === 'certificates' && certField(path[4]))
      return { kind: 'app', app: a, field: 'certificate', certificate: c, certField: certField(path[4])! };
    if (b === 'certificate' || b === 'certificates') {
      return {
        kind: 'invalid',
        message: `Reference ${raw} does not name a certificate value`,
        hint: `use \${apps.${a}.certificates.NAME.F} or \${apps.${a}.certificate.F} with F one of ${CERTIFICATE_FIELDS.join(', ')}`,
      };
    }
    return {
      kind: 'invalid',
      message: `Reference ${raw} does not name an application value`,
      hint: `use \${apps.KEY.X} with X one of ${APP_FIELDS.join(', ')}`,
    };
  }
  return { kind: 'invalid', message: `Reference ${raw} does not name anything`, hint: `references look like ${OUTPUT_FORMS}` };
}
