import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { TenantformError } from '../errors.js';
import { isSensitiveRef, templateRefs, type DesiredOutput } from '../model/desired.js';
import { renderValues, type OutputValues } from './render.js';

/**
 * GitHub Actions integration (`--github-output`).
 *
 * Masking: a workflow command `::add-mask::<value>` on stdout makes the runner replace the value with *** in
 * every later log line (https://docs.github.com/actions/reference/workflow-commands-for-github-actions#masking-a-value-in-a-log).
 * It is the ONE sanctioned place where a secret reaches stdout, and it must come before anything could print
 * the value: tenantform emits it for every known secret before apply starts, and for a new secret the moment
 * Graph returns it. A multi-line value is masked line by line (the runner matches single lines).
 *
 * Outputs: `name=value` entries appended to the file named by $GITHUB_OUTPUT, always in the delimiter form
 * (`name<<DELIM`, value lines, `DELIM`) so multi-line values are safe
 * (https://docs.github.com/actions/reference/workflow-commands-for-github-actions#multiline-strings).
 */
export function maskLines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => `::add-mask::${l}`);
}

export interface GithubOutputs {
  /** The $GITHUB_OUTPUT file. */
  file: string;
  /** Writes one workflow command line (stdout in text mode, stderr with --json). */
  command: (line: string) => void;
}

/** Mask a value (once per value per run). */
export function masker(gh: GithubOutputs): (value: string) => void {
  const seen = new Set<string>();
  return (value) => {
    if (!value || seen.has(value)) return;
    seen.add(value);
    for (const line of maskLines(value)) gh.command(line);
  };
}

/** The flat values every output contributes (dotenv and json `values`; shaped outputs contribute none). */
export function githubEntries(outputs: readonly DesiredOutput[], values: OutputValues): Array<{ name: string; value: string; sensitive: boolean }> {
  const out: Array<{ name: string; value: string; sensitive: boolean }> = [];
  for (const o of outputs) {
    if (o.format === 'pem' || o.values.length === 0) continue;
    const rendered = renderValues(o, values);
    if (!rendered)
      throw new TenantformError('OUTPUT_FAILED', `Cannot publish the values of ${o.path} to GitHub Actions: some are unknown (run apply).`, { path: o.path });
    rendered.forEach(([name, value], i) => out.push({ name, value, sensitive: templateRefs(o.values[i].parts).some(isSensitiveRef) }));
  }
  return out;
}

/** Append entries to $GITHUB_OUTPUT in the delimiter form (masking sensitive ones first). */
export function writeGithubOutput(gh: GithubOutputs, entries: Array<{ name: string; value: string; sensitive: boolean }>, mask = masker(gh)): void {
  for (const e of entries) if (e.sensitive) mask(e.value);
  let text = '';
  for (const e of entries) {
    let delimiter = `ghadelimiter_${randomUUID()}`;
    while (e.value.includes(delimiter) || e.name.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${e.name}<<${delimiter}\n${e.value}\n${delimiter}\n`;
  }
  if (text) appendFileSync(gh.file, text, { mode: 0o600 });
}

/** After apply/output: every stack's flat output values to $GITHUB_OUTPUT (values rendered like the files). */
export function publishGithubOutputs(
  gh: GithubOutputs,
  stacks: ReadonlyArray<{ outputs: readonly DesiredOutput[] }>,
  valuesOf: (stackIndex: number) => OutputValues,
  mask = masker(gh),
): number {
  const entries = stacks.flatMap((s, i) => githubEntries(s.outputs, valuesOf(i)));
  writeGithubOutput(gh, entries, mask);
  return entries.length;
}
