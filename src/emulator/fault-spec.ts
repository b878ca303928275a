/**
 * The compact spec of a fault rule, for `--fault` and TENANTFORM_EMULATOR_FAULTS (several, separated by `;`):
 *
 *   spec    := [method ':'] target (':' field)*
 *   method  := GET | POST | PATCH | PUT | DELETE | *
 *   target  := path-glob (starts with '/') | 'token' (the token endpoint, service login) | '*' (any Graph path)
 *   field   := kind | 'every' | key '=' value
 *   kind    := 500 | 502 | 503 | 504 | reset | timeout | commit-then-503 | commit-then-504 | commit-then-reset
 *            | 409-concurrency | aadsts | lag
 *   key     := nth (1 or 1,3) | p | probability | seed | times | retry-after | timeout-ms | lag-ms | jitter-ms
 *            | aadsts (implies kind aadsts) | service (graph | login)
 *
 * e.g. `POST:/applications/*\/addPassword:nth=1:commit-then-reset`, `token:aadsts=7000215:times=2`,
 * `*:p=0.1:seed=3:503:retry-after=1`, `DELETE:/applications/*:lag-ms=5000:lag`. A path cannot contain `:` here
 * (use emu.faults.add or the admin endpoint for those). Exactly one kind per spec; mistakes are refused, named.
 */
import { FAULT_KINDS, FaultSpecError, type FaultKind, type FaultRuleSpec } from './fault-rules.js';

const METHODS = /^(GET|POST|PATCH|PUT|DELETE|\*)$/i;
const INT_KEYS: Record<string, 'seed' | 'times' | 'retryAfter' | 'timeoutMs' | 'lagMs' | 'jitterMs' | 'aadsts'> = {
  seed: 'seed',
  times: 'times',
  'retry-after': 'retryAfter',
  'timeout-ms': 'timeoutMs',
  'lag-ms': 'lagMs',
  'jitter-ms': 'jitterMs',
  aadsts: 'aadsts',
};
const KEYS = ['nth', 'p', 'probability', 'service', ...Object.keys(INT_KEYS)];

export function parseFaultSpec(text: string): FaultRuleSpec {
  const fail = (m: string): never => {
    throw new FaultSpecError(`fault spec ${JSON.stringify(text)}: ${m}`);
  };
  const fields = text.trim().split(':');
  const spec: Partial<FaultRuleSpec> = {};
  if (METHODS.test(fields[0] ?? '') && fields.length > 1 && !isField(fields[1])) spec.method = fields.shift()!.toUpperCase();
  const target = fields.shift() ?? '';
  if (target === 'token') spec.service = 'login';
  else if (target.startsWith('/')) spec.path = target;
  else if (target !== '*') fail(`expected [METHOD:]PATH first (a path starting with '/', 'token' or '*'), got ${JSON.stringify(target)}`);
  const kinds: FaultKind[] = [];
  for (const field of fields) {
    if ((FAULT_KINDS as readonly string[]).includes(field)) {
      kinds.push(field as FaultKind);
      continue;
    }
    if (field === 'every') {
      spec.every = true;
      continue;
    }
    const eq = field.indexOf('=');
    const key = eq > 0 ? field.slice(0, eq) : field;
    const value = eq > 0 ? field.slice(eq + 1) : undefined;
    if (!KEYS.includes(key) || value === undefined || value === '') {
      fail(`unknown field ${JSON.stringify(field)} (a kind: ${FAULT_KINDS.join(', ')}; 'every'; or ${KEYS.map((k) => `${k}=`).join(', ')})`);
    }
    const v = value!;
    if (key === 'nth') spec.nth = v.split(',').map((n) => int(n, 'nth', 1, fail));
    else if (key === 'p' || key === 'probability') spec.probability = prob(v, fail);
    else if (key === 'service') {
      if (v !== 'graph' && v !== 'login') fail(`service must be graph or login, got ${JSON.stringify(v)}`);
      spec.service = v as 'graph' | 'login';
    } else {
      spec[INT_KEYS[key]] = int(v, key, key === 'aadsts' ? 1 : 0, fail);
      if (key === 'aadsts' && !kinds.includes('aadsts')) kinds.push('aadsts');
    }
  }
  const unique = [...new Set(kinds)];
  if (unique.length === 0) fail(`no fault kind (one of ${FAULT_KINDS.join(', ')})`);
  if (unique.length > 1) fail(`more than one fault kind: ${unique.join(', ')}`);
  spec.kind = unique[0];
  if (Array.isArray(spec.nth) && spec.nth.length === 1) spec.nth = spec.nth[0];
  return spec as FaultRuleSpec;
}

/** TENANTFORM_EMULATOR_FAULTS: specs separated by `;` or new lines; blank ones ignored. */
export function parseFaultSpecs(text: string | undefined): FaultRuleSpec[] {
  return (text ?? '')
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseFaultSpec);
}

const isField = (f: string | undefined) => f !== undefined && ((FAULT_KINDS as readonly string[]).includes(f) || f === 'every' || f.includes('='));

function int(v: string, key: string, min: number, fail: (m: string) => never): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min) fail(`${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function prob(v: string, fail: (m: string) => never): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) fail(`p must be a number between 0 and 1, got ${JSON.stringify(v)}`);
  return n;
}
