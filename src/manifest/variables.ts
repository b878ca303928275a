/**
 * Variables: declared under `variables:` (name → {default?, description?}, or just `name:`), used as
 * `${var.name}` in any string value (also in `stack:`). The value comes from `--var name=value`, else the
 * environment variable TENANTFORM_VAR_<name>, else the default (which may itself use other variables),
 * else the variable is unresolved. Values are strings; use them in string fields. Defaults are checked
 * statically (declared variables only, no cycles) whatever values a run gives.
 */
import { TenantformError } from '../errors.js';
import type { ManifestSource } from './load.js';
import { didYouMean, formatPath, type Problem, type TreePath } from './problems.js';
import { classifyRef, escapeTemplateText, parseTemplate, type TemplateToken } from './references.js';
import { Reporter } from './report.js';

export const VAR_ENV_PREFIX = 'TENANTFORM_VAR_';
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface VariableInputs {
  /** From `--var name=value`. */
  vars: Readonly<Record<string, string>>;
  /** Usually process.env; only TENANTFORM_VAR_* entries are read. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Parse repeated `--var name=value` arguments. The value may contain '='; the name may not be empty. */
export function parseVarArgs(args: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args ?? []) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (eq < 0 || !VARIABLE_NAME.test(name)) {
      throw new TenantformError('USAGE', `--var expects name=value with a name like my_var, got "${arg}"`, { arg });
    }
    out[name] = arg.slice(eq + 1);
  }
  return out;
}

export interface ResolvedVariables {
  /** Resolved values. A declared name missing here is unresolved (already reported). */
  values: Map<string, string>;
  declared: Set<string>;
  problems: Problem[];
}

interface Declaration {
  name: string;
  /** The default as written (numbers and booleans as text), when there is one. */
  text?: string;
  /** The default as a parsed template. */
  tokens?: TemplateToken[];
  /** Variables the default uses. */
  uses: string[];
  /** The default has a problem of its own (already reported); it cannot give a value. */
  broken: boolean;
}

/**
 * Resolve the variables a manifest declares (`tree` is the whole document as plain data).
 * Defaults are checked whether or not they are needed, so a manifest is valid or not independently of
 * the values given for this run.
 */
export function resolveVariables(source: ManifestSource, tree: unknown, inputs: VariableInputs): ResolvedVariables {
  const report = new Reporter(source);
  const decls = declarations(report, tree);
  checkDefaults(report, decls);
  findCycles(report, decls);

  const values = new Map<string, string>();
  const failed = new Set<string>();
  const resolve = (name: string): string | undefined => {
    if (values.has(name)) return values.get(name);
    if (failed.has(name)) return undefined;
    const decl = decls.get(name)!;
    let value: string | undefined = inputs.vars[name] ?? inputs.env[`${VAR_ENV_PREFIX}${name}`];
    if (value === undefined && decl.text === undefined) {
      report.add('unresolved-variable', ['variables', name], `Variable "${name}" has no value`, {
        target: 'key',
        hint: `pass --var ${name}=VALUE, set ${VAR_ENV_PREFIX}${name}, or give it a default`,
      });
    } else if (value === undefined && !decl.broken) {
      failed.add(name); // guards recursion; cycles were found (and marked broken) above
      // Not broken ⇒ every reference in the default is ${var.NAME} of a declared variable.
      const parts = (decl.tokens ?? []).map((t) => (t.kind === 'text' ? t.text : resolve(t.path[1])));
      failed.delete(name);
      value = parts.every((v) => v !== undefined) ? parts.join('') : undefined;
    }
    if (value === undefined) failed.add(name);
    else values.set(name, value);
    return value;
  };
  for (const name of decls.keys()) resolve(name);
  return { values, declared: new Set(decls.keys()), problems: report.problems };
}

function declarations(report: Reporter, tree: unknown): Map<string, Declaration> {
  const decls = new Map<string, Declaration>();
  const section = isRecord(tree) ? tree.variables : undefined;
  if (!isRecord(section)) return decls;
  for (const [name, spec] of Object.entries(section)) {
    if (!VARIABLE_NAME.test(name)) {
      report.add('invalid-value', ['variables', name], `Variable name "${name}" is not allowed`, {
        target: 'key',
        hint: 'use letters, digits and _ (not starting with a digit), so it also works as TENANTFORM_VAR_<name>',
      });
      continue;
    }
    const def = isRecord(spec) ? spec.default : undefined;
    const scalar = typeof def === 'string' || typeof def === 'number' || typeof def === 'boolean';
    decls.set(name, { name, text: scalar ? String(def) : undefined, uses: [], broken: false });
  }
  return decls;
}

/** Defaults may only use declared variables (`${var.NAME}`). */
function checkDefaults(report: Reporter, decls: Map<string, Declaration>): void {
  for (const decl of decls.values()) {
    if (decl.text === undefined) continue;
    const path = ['variables', decl.name, 'default'];
    const { tokens, errors } = parseTemplate(decl.text);
    decl.tokens = tokens;
    for (const e of errors) report.add('invalid-reference', path, e.message, { needle: e.raw });
    decl.broken = errors.length > 0;
    for (const t of tokens) {
      if (t.kind === 'text') continue;
      const ref = classifyRef(t.path);
      if (ref.kind !== 'var') {
        report.add('invalid-reference', path, `${t.raw} cannot be used in a variable default; only \${var.NAME} can`, { needle: t.raw });
        decl.broken = true;
      } else if (!decls.has(ref.name)) {
        undeclared(report, path, t.raw, ref.name, decls.keys());
        decl.broken = true;
      } else decl.uses.push(ref.name);
    }
  }
}

/** Defaults that use each other in a circle: reported once per cycle, where it starts. */
function findCycles(report: Reporter, decls: Map<string, Declaration>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of decls.get(name)!.uses) {
      if (state.get(next) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        report.add('reference-cycle', ['variables', next, 'default'], `Variable defaults form a cycle: ${cycle.join(' → ')}`, {
          needle: `\${var.${cycle[1]}}`,
          hint: 'give one of these variables a default without references to the others',
        });
        for (const n of cycle) decls.get(n)!.broken = true;
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of decls.keys()) if (!state.has(name)) visit(name);
}

export interface SubstitutionResult {
  tree: unknown;
  problems: Problem[];
  /** Paths (formatPath) of strings that still hold an unresolved reference; later checks skip them. */
  tainted: Set<string>;
}

/**
 * Replace `${var.x}` in every string of the tree except the `variables:` section. In output values
 * (`outputs[i].values.KEY`, strings in `outputs[i].template`, `scopes`, `audience`) other references stay as template text for outputs/ to fill in; anywhere else
 * they are errors.
 */
export function substituteVariables(source: ManifestSource, tree: unknown, vars: ResolvedVariables): SubstitutionResult {
  const report = new Reporter(source);
  const tainted = new Set<string>();

  const substitute = (s: string, path: TreePath): string => {
    if (!s.includes('$')) return s;
    const template = isOutputValue(path);
    const { tokens, errors } = parseTemplate(s);
    for (const e of errors) report.add('invalid-reference', path, e.message, { needle: e.raw });
    if (errors.length) tainted.add(formatPath(path));
    let out = '';
    for (const t of tokens) {
      if (t.kind === 'text') {
        out += template ? escapeTemplateText(t.text) : t.text;
        continue;
      }
      const ref = classifyRef(t.path);
      if (ref.kind === 'var') {
        const value = vars.values.get(ref.name);
        if (value !== undefined) out += template ? escapeTemplateText(value) : value;
        else {
          if (!vars.declared.has(ref.name)) undeclared(report, path, t.raw, ref.name, vars.declared);
          tainted.add(formatPath(path));
          out += t.raw;
        }
      } else if (template)
        out += t.raw; // checked against the stack by rules
      else {
        report.add('invalid-reference', path, `${t.raw} can only be used in output values; here only \${var.NAME} can`, {
          needle: t.raw,
          hint: path.includes('identifierUris') ? "write {appId} (without $) for the application's own appId" : undefined,
        });
        tainted.add(formatPath(path));
        out += t.raw;
      }
    }
    return out;
  };

  // One path, extended and restored on the way down: copied only for a string that holds a reference (a fleet's
  // manifests are mostly strings without one, and the copy per value was most of this walk).
  const path: (string | number)[] = [];
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return value.includes('$') ? substitute(value, [...path]) : value;
    if (Array.isArray(value)) {
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        out[i] = walk(value[i]);
        path.pop();
      }
      return out;
    }
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        let next = v;
        if (path.length !== 0 || k !== 'variables') {
          path.push(k);
          next = walk(v);
          path.pop();
        }
        // defineProperty: a YAML key named __proto__ must stay a plain key.
        if (k === '__proto__') Object.defineProperty(out, k, { value: next, enumerable: true, writable: true, configurable: true });
        else out[k] = next;
      }
      return out;
    }
    return value;
  };
  return { tree: walk(tree), problems: report.problems, tainted };
}

function isOutputValue(path: TreePath): boolean {
  if (path[0] !== 'outputs') return false;
  // values.KEY, any string inside template:, and the msal-node/appsettings scopes and audience.
  return (
    (path.length === 4 && path[2] === 'values') ||
    (path.length >= 3 && path[2] === 'template') ||
    path[2] === 'scopes' ||
    (path.length === 3 && path[2] === 'audience')
  );
}

function undeclared(report: Reporter, path: TreePath, raw: string, name: string, declared: Iterable<string>): void {
  report.add('dangling-reference', path, `Variable "${name}" is not declared`, {
    needle: raw,
    hint: didYouMean(name, declared) ?? `declare it under variables: (e.g. ${name}: {default: ...})`,
  });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
