import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { LineCounter, type Alias, type Document, type Node, type YAMLError } from 'yaml';
import { TenantformError } from '../errors.js';
import { checkAliases } from './aliases.js';
import { parseBounded } from './limits.js';
import { KindCap, type Problem } from './problems.js';

/** One manifest file, parsed with positions so every node maps back to file:line:column. */
export interface ManifestSource {
  /** The path as the user gave it (or directory + file name for a directory argument). */
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** What each alias stands for (filled in when the document has no YAML syntax error). */
  aliasTargets?: ReadonlyMap<Alias, Node>;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml']);

/**
 * Expand the paths the user gave: files as they are, directories to their *.yaml / *.yml files (sorted,
 * not recursive). Missing paths are reported together in one MANIFEST_NOT_FOUND error.
 * Synchronous on purpose (here and in readManifest): a fleet is a thousand small files, and awaiting each
 * stat and read (open, fstat, read, close: a thread-pool round trip apiece) left the process idle for
 * half the load; the sync calls take microseconds each.
 */
export async function expandManifestPaths(paths: readonly string[], opts: { cwd: string }): Promise<string[]> {
  if (paths.length === 0) throw new TenantformError('USAGE', 'Name at least one manifest file, e.g. manifests/todolist-daemon.yaml');
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const info = statOrUndefined(path.resolve(opts.cwd, p));
    if (!info) missing.push(p);
    else if (info.isDirectory()) {
      const names = readdirSync(path.resolve(opts.cwd, p))
        .filter((n) => MANIFEST_EXTENSIONS.has(path.extname(n)))
        .sort();
      if (names.length === 0) missing.push(`${p} (no *.yaml files in it)`);
      files.push(...names.map((n) => path.join(p, n)));
    } else files.push(p);
  }
  if (missing.length > 0) {
    throw new TenantformError('MANIFEST_NOT_FOUND', `Manifest not found: ${missing.join(', ')}`, { paths: missing });
  }
  return [...new Set(files)];
}

/** Any failure (missing, not a directory, no permission) counts as not found, as before. */
function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** Read and parse one file. YAML errors come back as problems; the caller skips further checks then. */
export async function readManifest(file: string, opts: { cwd: string }): Promise<{ source: ManifestSource; problems: Problem[] }> {
  let text: string;
  try {
    text = readFileSync(path.resolve(opts.cwd, file), 'utf8');
  } catch (e) {
    throw new TenantformError('MANIFEST_NOT_FOUND', `Manifest not found: ${file}`, { paths: [file], reason: (e as Error).message });
  }
  return parseManifestText(file, text);
}

/** Parse manifest text (exported for tests that do not want files). */
export function parseManifestText(file: string, text: string): { source: ManifestSource; problems: Problem[] } {
  const lineCounter = new LineCounter();
  // Depth and size are checked while parsing, before the composer (which recurses) sees the tree; prettyErrors
  // off: we render our own file:line:column and keep messages one line long.
  const { doc, limit } = parseBounded(text, lineCounter, { uniqueKeys: true });
  const source: ManifestSource = { file, text, doc, lineCounter };
  const at = (offset: number) => ({ file, ...lineColumn(lineCounter, offset) });
  if (limit) return { source, problems: [{ code: 'yaml-limit', severity: 'error', message: limit.message, location: at(limit.offset), hint: limit.hint }] };
  const problems: Problem[] = [];
  // A garbled 4 MB file is thousands of YAML errors: list the first ones of each kind and count the rest.
  const cap = new KindCap(1000);
  const add = (p: Problem) => {
    if (cap.admit(p.code, () => ({ ...p }), problems)) problems.push(p);
  };
  for (const [list, severity] of [
    [doc.errors, 'error'],
    [doc.warnings, 'warning'],
  ] as const) {
    for (const err of list) {
      const location = at(errorOffset(text, err));
      const duplicate = err.code === 'DUPLICATE_KEY';
      const hint = duplicate ? 'remove or merge one of the two entries' : flowBraceHint(text, lineCounter, location.line);
      add({
        code: duplicate ? 'duplicate-key' : 'yaml-syntax',
        severity,
        message: duplicate ? `Key "${keyText(text, err.pos[0])}" appears twice in the same mapping` : `YAML: ${firstLine(err.message)}`,
        location,
        ...(hint ? { hint } : {}),
      });
    }
  }
  // A duplicate key leaves a sound tree that check.ts goes on to convert, so its aliases are checked too.
  if (doc.errors.every((e) => e.code === 'DUPLICATE_KEY')) {
    const aliases = checkAliases(doc, text, (offset) => {
      const { line, column } = lineColumn(lineCounter, offset);
      return `${line}:${column}`;
    });
    source.aliasTargets = aliases.targets;
    for (const p of aliases.problems) add({ code: p.code, severity: 'error', message: p.message, location: at(p.offset), hint: p.hint });
  }
  return { source, problems };
}

function lineColumn(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** The key starting at `at` (plain or quoted), for the duplicate-key message. */
function keyText(text: string, at: number): string {
  const m = /^("[^"\n]*"|'[^'\n]*'|[^:\n]*)/.exec(text.slice(at));
  return (m?.[1] ?? '').trim().replace(/^["']|["']$/g, '');
}

/**
 * Where to point for a YAML error. The parser reports an unclosed quote at the end of the file; the
 * useful place is the opening quote, which is the last quote character before that point.
 */
function errorOffset(text: string, err: YAMLError): number {
  const quote = err.code === 'MISSING_CHAR' ? /closing (["'])quote/.exec(err.message)?.[1] : undefined;
  if (quote) {
    const open = text.lastIndexOf(quote, err.pos[0] - 1);
    if (open >= 0) return open;
  }
  return err.pos[0];
}

/**
 * `identifierUris: [api://{appId}]` is a YAML error: inside [...] a `{` starts a mapping. Say so, because
 * the message the parser gives ("Unexpected flow-map", "Missing , or :") does not.
 */
function flowBraceHint(text: string, lineCounter: LineCounter, line: number): string | undefined {
  const start = lineCounter.lineStarts[line - 1] ?? text.length;
  const end = text.indexOf('\n', start);
  const source = text.slice(start, end < 0 ? undefined : end);
  // The test backtracks on a long line of brackets (quadratic, and run once per YAML error): only short lines with the placeholder.
  return source.length <= 1000 && source.includes('{appId}') && /\[[^\]]*[^'"\s[,]\{appId\}/.test(source)
    ? 'inside [ ] a { starts a YAML mapping: quote the URI ("api://{appId}") or write the list one "- " item per line'
    : undefined;
}

/** The parser quotes the offending token, which for a file that is not YAML can be the rest of the file. */
const LONG_TOKEN = /"((?:[^"\\]|\\.){40})(?:[^"\\]|\\.){20,}"/g;

function firstLine(message: string): string {
  return message
    .split('\n')[0]
    .replace(LONG_TOKEN, '"$1…"')
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace('Missing closing "quote', 'Missing closing " quote')
    .replace("Missing closing 'quote", "Missing closing ' quote");
}
