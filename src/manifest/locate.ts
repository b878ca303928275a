import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
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
  const offset = locateOffset(source, path, opts);
  return positionOf(source, offset);
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
 * block scalars whenever the needle is written literally (no escapes inside it).
 */
export function locateInScalar(source: ManifestSource, path: TreePath, needle: string, occurrence = 0): SourceLocation {
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

function locateOffset(source: ManifestSource, path: TreePath, opts: { target?: 'key' | 'value' }): number {
  let node = resolve(source, source.doc.contents);
  let best = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const next = child(source, node, path[i]);
    if (!next) return best;
    const last = i === path.length - 1;
    if (last && opts.target === 'key' && next.key?.range) return next.key.range[0];
    // An empty value (`displayName:`) has a zero-width node after the colon; point at the key instead.
    const valueStart = next.value?.range && next.value.range[1] > next.value.range[0] ? next.value.range[0] : undefined;
    best = valueStart ?? next.key?.range?.[0] ?? best;
    node = next.value;
  }
  return best;
}

/** One step down: the pair of a map key, or the item of a list index. */
function child(source: ManifestSource, node: Node | null | undefined, seg: string | number): { key?: Node; value: Node | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
    if (!pair) return undefined;
    return { key: pair.key as Node, value: resolve(source, pair.value as Node | null) };
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg] as Node | undefined;
    return item === undefined ? undefined : { value: resolve(source, item) };
  }
  return undefined;
}

/** Follow aliases (`*anchor`) to the node they stand for. */
function resolve(source: ManifestSource, node: Node | null | undefined): Node | undefined {
  let n = node ?? undefined;
  for (let i = 0; i < 10 && isAlias(n); i++) n = n.resolve(source.doc) as Node | undefined;
  return n;
}
