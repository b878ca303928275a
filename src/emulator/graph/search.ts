import type { GraphCtx } from '../context.js';
import { GraphFault, graphErrors } from '../errors.js';
import { eventual } from './odata-shared.js';

/**
 * `$search` on directory object collections (https://learn.microsoft.com/graph/search-query-parameter#using-search-on-directory-object-collections).
 *
 * Grammar (the doc's "syntax of search" rules):
 *   search  := or
 *   or      := and ( "OR" and )*
 *   and     := primary ( "AND" primary )*
 *   primary := clause | "(" or ")"
 *   clause  := '"' property ":" text '"'      (`\"` and `\\` escape inside the quotes)
 * `AND` / `OR` stand outside the quotes and "must be in upper case". The text is parsed to a tree (SearchNode)
 * and evaluated apart, as the $filter compiler does.
 *
 * Matching: on `displayName` and `description` the search is tokenized — the value and the search text are split
 * into words by spaces, lower→upper case changes, digits and symbols (symbol-joined words are also kept joined), and
 * every token of the text must be the prefix of some token of the value, in any order, case-insensitively. On every
 * other property that `$filter` accepts, a clause "defaults to `$filter` `startswith` behavior".
 */

export type SearchNode = { kind: 'clause'; property: string; text: string } | { kind: 'and' | 'or'; left: SearchNode; right: SearchNode };

/** The properties a resource searches: tokenized ones and the rest ($filter's startsWith). */
export interface SearchSpec {
  tokenized: readonly string[];
  startsWith: readonly string[];
  /** The resource name for error texts (`application`, `servicePrincipal`, `user`). */
  resource: string;
}

/**
 * Graph's text for a malformed `$search` is UNCONFIRMED; the emulator answers 400 Request_BadRequest with the
 * position of the problem.
 */
const syntax = (raw: string, why: string) => graphErrors.badRequest(`Invalid $search expression '${raw}': ${why}.`);

export function parseSearch(raw: string): SearchNode {
  let i = 0;
  const ws = () => {
    while (i < raw.length && /\s/.test(raw[i])) i++;
  };
  const keyword = (word: 'AND' | 'OR'): boolean => {
    ws();
    // Upper case only ("Logical AND and OR operators … must be in upper case"); `and` is a syntax error.
    if (raw.startsWith(word, i) && (i + word.length === raw.length || /[\s("]/.test(raw[i + word.length]))) {
      i += word.length;
      return true;
    }
    return false;
  };
  const clause = (): SearchNode => {
    ws();
    if (raw[i] === '(') {
      i++;
      const inner = or();
      ws();
      if (raw[i] !== ')') throw syntax(raw, `')' expected at ${i}`);
      i++;
      return inner;
    }
    if (raw[i] !== '"') throw syntax(raw, `a clause in double quotes expected at ${i}`);
    i++;
    let body = '';
    while (i < raw.length && raw[i] !== '"') {
      if (raw[i] === '\\' && i + 1 < raw.length) i++;
      body += raw[i++];
    }
    if (raw[i] !== '"') throw syntax(raw, 'unterminated clause');
    i++;
    const colon = body.indexOf(':');
    // "The property name must be specified in the clause."
    if (colon <= 0) throw syntax(raw, `the clause "${body}" names no property`);
    return { kind: 'clause', property: body.slice(0, colon).trim(), text: body.slice(colon + 1) };
  };
  const and = (): SearchNode => {
    let left = clause();
    while (keyword('AND')) left = { kind: 'and', left, right: clause() };
    return left;
  };
  const or = (): SearchNode => {
    let left = and();
    while (keyword('OR')) left = { kind: 'or', left, right: and() };
    return left;
  };
  const tree = or();
  ws();
  if (i !== raw.length) throw syntax(raw, `unexpected '${raw.slice(i)}'`);
  return tree;
}

/** Checks every clause's property against the resource; a property it cannot search answers 400. */
export function checkSearch(node: SearchNode, spec: SearchSpec): void {
  if (node.kind !== 'clause') {
    checkSearch(node.left, spec);
    checkSearch(node.right, spec);
    return;
  }
  if (!spec.tokenized.includes(node.property) && !spec.startsWith.includes(node.property)) {
    // Any property usable in $filter may be searched; others are refused. The text is $filter's for an unsupported
    // property, UNCONFIRMED for $search.
    throw new GraphFault(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified for property '${node.property}' of resource '${spec.resource}'.`,
    );
  }
}

export function matchesSearch(node: SearchNode, spec: SearchSpec, o: Record<string, unknown>): boolean {
  if (node.kind !== 'clause') {
    const left = matchesSearch(node.left, spec, o);
    return node.kind === 'and' ? left && matchesSearch(node.right, spec, o) : left || matchesSearch(node.right, spec, o);
  }
  const value = o[node.property];
  const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
  if (spec.tokenized.includes(node.property)) {
    const wanted = searchTokens(node.text);
    if (wanted.length === 0) return true;
    return values.some((v) => {
      const have = searchTokens(v);
      return wanted.every((w) => have.some((h) => h.startsWith(w)));
    });
  }
  const prefix = node.text.toLowerCase();
  return values.some((v) => v.toLowerCase().startsWith(prefix));
}

/**
 * The doc's tokenization: `hello world` → hello, world; `HelloWorld` / `helloWORLD` → hello, world (only a
 * lower→upper change splits: `HELLOworld` is one token); `hello.world` → hello, ., world, helloworld;
 * `hello123world` → hello, 123, world. Tokens compare lower-cased.
 */
export function searchTokens(text: string): string[] {
  const out: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const parts: string[] = [];
    let current = '';
    let kind: 'letter' | 'digit' | undefined;
    const flush = () => {
      if (current) parts.push(current);
      current = '';
      kind = undefined;
    };
    for (const ch of word) {
      const isDigit = /\p{Nd}/u.test(ch);
      const isLetter = /\p{L}/u.test(ch);
      if (!isDigit && !isLetter) {
        flush();
        out.push(ch);
        continue;
      }
      const k = isDigit ? 'digit' : 'letter';
      const prev = current.at(-1);
      const camel = k === 'letter' && kind === 'letter' && prev !== undefined && /\p{Ll}/u.test(prev) && /\p{Lu}/u.test(ch);
      if ((kind && k !== kind) || camel) flush();
      current += ch;
      kind = k;
    }
    flush();
    out.push(...parts.map((p) => p.toLowerCase()));
    // "Tokenization logic also combines words that are separated only by symbols."
    const joined = word.replace(/[^\p{L}\p{Nd}]/gu, '').toLowerCase();
    if (joined && joined !== word.toLowerCase() && !out.includes(joined)) out.push(joined);
  }
  return out;
}

/** `$search` needs `ConsistencyLevel: eventual` (not `$count`): https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries-on-directory-objects */
export function searchFilter(ctx: GraphCtx, spec: SearchSpec | undefined): ((o: Record<string, unknown>) => boolean) | undefined {
  const raw = ctx.req.query.get('$search');
  if (raw === null) return undefined;
  if (!spec) throw graphErrors.notImplemented('$search here');
  if (!eventual(ctx)) {
    // The documented payload, verbatim.
    throw graphErrors.unsupportedQuery(
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const tree = parseSearch(raw);
  checkSearch(tree, spec);
  return (o) => matchesSearch(tree, spec, o);
}
