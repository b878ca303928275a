/**
 * YAML anchors and aliases, checked on the parsed document before it becomes plain data: an alias without its
 * anchor, an alias inside its own anchor (a recursive structure: toJS makes a cycle that every later walk
 * follows forever), and aliases that expand to too much ("billion laughs") are located at the alias that uses
 * them. Without this, each was a throw from toJS reported at 1:1, or a stack overflow, or a hang.
 */
import { isAlias, isMap, isPair, isSeq, type Alias, type Document, type Node } from 'yaml';
import { MAX_DEPTH } from './limits.js';

/** Values that aliases may add to a manifest by expansion (a real one shares a few small blocks). */
export const MAX_ALIAS_VALUES = 100_000;
/**
 * Alias uses in one manifest. yaml's toJS scans the whole document for each alias inside an anchor (to count
 * aliases of aliases), so their number times the size of the file is the cost: 100 keeps it near a second at the largest.
 */
export const MAX_ALIASES = 100;
/** The bound yaml's toJS applies (check.ts passes it): uses of an anchor × the aliases inside it. */
const YAML_MAX_ALIAS_COUNT = 1_000;

export interface AliasProblem {
  code: 'yaml-syntax' | 'yaml-limit';
  /** Where the alias is, in the text. */
  offset: number;
  message: string;
  hint: string;
}

export interface AliasCheck {
  problems: AliasProblem[];
  /** What each alias stands for (for locate: one lookup instead of a scan of the document per alias). */
  targets: Map<Alias, Node>;
}

interface Size {
  values: number;
  depth: number;
}

/** Check every alias of `doc`; `at` renders an offset as `line:column` for messages. */
export function checkAliases(doc: Document.Parsed, text: string, at: (offset: number) => string): AliasCheck {
  const problems: AliasProblem[] = [];
  const targets = new Map<Alias, Node>();
  // As yaml resolves: the last node with that anchor before the alias, in document order.
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, Size>();
  const open = new Set<Node>();
  // yaml's toJS counters per anchored node (count starts at 1 for the anchor itself), replayed in its order.
  const uses = new Map<Node, { count: number; aliasCount: number }>();
  let added = 0;
  let aliases = 0;
  let stopped = false;
  const refuse = (alias: Alias, message: string, hint: string): Size => {
    problems.push({ code: 'yaml-limit', offset: alias.range?.[0] ?? 0, message, hint });
    stopped = true;
    return { values: 1, depth: 0 };
  };

  const viaAlias = (alias: Alias, depth: number): Size => {
    const name = `*${alias.source}`;
    const target = anchors.get(alias.source);
    if (!target) {
      problems.push({
        code: 'yaml-syntax',
        offset: alias.range?.[0] ?? 0,
        message: `YAML: alias ${name} has no anchor: &${alias.source} must be set before the alias uses it`,
        hint: `mark the value to repeat with &${alias.source} above this line`,
      });
      return { values: 1, depth: 0 };
    }
    targets.set(alias, target);
    const anchored = `&${alias.source} at ${at(anchorOffset(text, alias.source, target))}`;
    if (open.has(target)) {
      return refuse(
        alias,
        `Alias ${name} is used inside its own anchor (${anchored}): a recursive structure cannot be a manifest`,
        'repeat the values instead, or anchor a part that does not contain the alias',
      );
    }
    if (++aliases > MAX_ALIASES)
      return refuse(
        alias,
        `More than ${MAX_ALIASES.toLocaleString('en-US')} aliases in one manifest`,
        'a manifest needs a few aliases; write the values out or split the file',
      );
    const size = sizes.get(target)!;
    const counter = uses.get(target)!;
    counter.count++;
    if (counter.aliasCount === 0) counter.aliasCount = aliasWeight(target, targets, uses);
    if (counter.count * counter.aliasCount > YAML_MAX_ALIAS_COUNT) {
      return refuse(
        alias,
        `Aliases expand too much here: ${name} (${anchored}) and the aliases inside it stand for more than ${YAML_MAX_ALIAS_COUNT.toLocaleString('en-US')} copies (an alias bomb, "billion laughs")`,
        'use each anchor a few times, not aliases of aliases of aliases',
      );
    }
    added += size.values;
    if (added > MAX_ALIAS_VALUES) {
      return refuse(
        alias,
        `Aliases expand the manifest by more than ${MAX_ALIAS_VALUES.toLocaleString('en-US')} values here (${name}, ${anchored})`,
        'a manifest shares a few small blocks through aliases; write the values out or split the file',
      );
    }
    if (depth + size.depth > MAX_DEPTH) {
      return refuse(
        alias,
        `Nesting deeper than ${MAX_DEPTH} levels through alias ${name} (${anchored})`,
        `a manifest needs about a dozen levels; ${MAX_DEPTH} is the limit, aliases included`,
      );
    }
    return size;
  };

  // Recursion is bounded: the parser refused anything deeper than MAX_DEPTH, and aliases are not followed.
  const visit = (node: unknown, depth: number): Size => {
    if (stopped) return { values: 1, depth: 0 };
    if (isAlias(node)) return viaAlias(node, depth);
    const anchored = node && typeof node === 'object' && 'anchor' in node && typeof node.anchor === 'string' ? (node as Node) : undefined;
    if (anchored) {
      anchors.set(anchored.anchor!, anchored);
      uses.set(anchored, { count: 1, aliasCount: 0 });
    }
    let size: Size = { values: 1, depth: 0 };
    if (isMap(node) || isSeq(node)) {
      open.add(node);
      let values = 1;
      let deepest = 0;
      for (const item of node.items as unknown[]) {
        for (const part of isPair(item) ? [item.key, item.value] : [item]) {
          const s = visit(part, depth + 1);
          values += s.values;
          deepest = Math.max(deepest, s.depth);
        }
      }
      open.delete(node);
      size = { values, depth: deepest + 1 };
    }
    if (anchored) sizes.set(anchored, size);
    return size;
  };
  visit(doc.contents, 0);
  return { problems, targets };
}

/** Where `&name` is written: a node's range starts after its anchor, which is the place a reader looks for. */
function anchorOffset(text: string, name: string, node: Node): number {
  const start = node.range?.[0] ?? 0;
  const at = text.lastIndexOf(`&${name}`, start);
  return at >= 0 ? at : start;
}

/** yaml's getAliasCount: the largest use count × weight of an alias inside `node` (1 for a plain value). */
function aliasWeight(node: unknown, targets: Map<Alias, Node>, uses: Map<Node, { count: number; aliasCount: number }>): number {
  if (isAlias(node)) {
    const target = targets.get(node);
    const u = target && uses.get(target);
    return u ? u.count * u.aliasCount : 0;
  }
  if (isMap(node) || isSeq(node)) {
    let max = 0;
    for (const item of node.items as unknown[]) max = Math.max(max, aliasWeight(item, targets, uses));
    return max;
  }
  if (isPair(node)) return Math.max(aliasWeight(node.key, targets, uses), aliasWeight(node.value, targets, uses));
  return 1;
}
