import { isAlias, isMap, isScalar, isSeq, type Alias, type Node } from 'yaml';
import type { SourceLocation } from '../errors.js';
import type { ManifestSource } from './load.js';
import type { TreePath } from './problems.js';

/**
 * Map a path in the manifest tree (map keys and list indices) to a source position.
 * - target 'value' (default): where the value starts, e.g. the `A` of `displayName: A`.
 * - target 'key': where the key starts (for unknown keys, and for "this entry" problems).
 * When the path does not exist in full (a missing field), the deepest existing node is returned, so a
 * missing `displayName` points at the application that lacks it.
 */
export function locate(source: ManifestSource, path: TreePath, opts: { target?: 'key' | 'value' } = {}): SourceLocation {
  return locateUse(source, path, opts).location;
}

/** Where a path is used, and, when it reaches its value through an alias, the alias and where the value is. */
export interface UseSite {
  location: SourceLocation;
  via?: { alias: string; defined: SourceLocation };
}

/**
 * `locate`, telling aliases apart: a value that arrives through `*anchor` is located at the alias (the field
 * that uses it: the anchor's text is shared by every use, so only the use site says which one is meant), and
 * `via` says where the anchor holds it.
 */
export function locateUse(source: ManifestSource, path: TreePath, opts: { target?: 'key' | 'value' } = {}): UseSite {
  const { offset, alias } = locateOffset(source, path, opts);
  const location = positionOf(source, offset);
  if (!alias?.range) return { location };
  return { location: positionOf(source, alias.range[0]), via: { alias: `*${alias.source}`, defined: location } };
}

/** Source position of a character offset. */
export function positionOf(source: ManifestSource, offset: number): SourceLocation {
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.file, line, column: col };
}

/** The YAML node at a path, or undefined. */
export function nodeAt(source: ManifestSource, path: TreePath): Node | undefined {
  let node = resolve(source, source.doc.contents);
  for (const seg of path) {
    const next = child(source, node, seg);
    if (!next) return undefined;
    node = next.value;
  }
  return node ?? undefined;
}

/**
 * Position of the text `needle` inside the scalar at `path` (its `occurrence`-th appearance), e.g. the
 * `${var.x}` inside a longer string; falls back to the start of the scalar. Works for plain, quoted and
 * block scalars whenever the needle is written literally (no escapes inside it). When the scalar arrives through
 * an alias, the use site is the alias and `via.defined` the needle in the anchor (see locateUse).
 */
export function locateUseInScalar(source: ManifestSource, path: TreePath, needle: string, occurrence = 0): UseSite {
  const use = locateUse(source, path);
  if (use.via) return { location: use.location, via: { ...use.via, defined: inScalar(source, path, needle, occurrence) } };
  return { location: inScalar(source, path, needle, occurrence) };
}

function inScalar(source: ManifestSource, path: TreePath, needle: string, occurrence: number): SourceLocation {
  const node = nodeAt(source, path);
  if (!node?.range) return locate(source, path);
  const [start, end] = node.range;
  const slice = source.text.slice(start, end);
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = slice.indexOf(needle, at + 1);
    if (at < 0) return positionOf(source, start);
  }
  return positionOf(source, start + at);
}

/** The offset a path points at, and the first alias on the way (the outermost: the one in the text that uses it). */
function locateOffset(source: ManifestSource, path: TreePath, opts: { target?: 'key' | 'value' }): { offset: number; alias?: Alias } {
  let node = resolve(source, source.doc.contents);
  let best = node?.range?.[0] ?? 0;
  let alias: Alias | undefined;
  for (let i = 0; i < path.length; i++) {
    const next = child(source, node, path[i]);
    if (!next) break;
    const last = i === path.length - 1;
    if (last && opts.target === 'key' && next.key?.range) return { offset: next.key.range[0], alias };
    alias ??= next.alias;
    // An empty value (`displayName:`) has a zero-width node after the colon; point at the key instead.
    const valueStart = next.value?.range && next.value.range[1] > next.value.range[0] ? next.value.range[0] : undefined;
    best = valueStart ?? next.key?.range?.[0] ?? best;
    node = next.value;
  }
  return { offset: best, alias };
}

/** One step down: the pair of a map key, or the item of a list index (and the alias it went through, if any). */
function child(
  source: ManifestSource,
  node: Node | null | undefined,
  seg: string | number,
): { key?: Node; value: Node | undefined; alias?: Alias } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
    if (!pair) return undefined;
    return { key: pair.key as Node, value: resolve(source, pair.value as Node | null), ...aliasOf(pair.value) };
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg] as Node | undefined;
    return item === undefined ? undefined : { value: resolve(source, item), ...aliasOf(item) };
  }
  return undefined;
}

function aliasOf(node: unknown): { alias?: Alias } {
  return isAlias(node) ? { alias: node } : {};
}

/** Follow aliases (`*anchor`) to the node they stand for. */
function resolve(source: ManifestSource, node: Node | null | undefined): Node | undefined {
  let n = node ?? undefined;
  for (let i = 0; i < 10 && isAlias(n); i++) n = source.aliasTargets?.get(n) ?? (n.resolve(source.doc) as Node | undefined);
  return n;
}
