/**
 * Seeded fuzzing of validation (issue 15): a few hundred mutations of the example manifests — lines deleted,
 * moved and re-indented, values replaced by other types, hostile snippets (recursive aliases, alias bombs, deep
 * nesting, huge values, broken references), truncation, stray characters. Whatever comes out, validation
 * answers with located problems (file:line:column), no internal error, no stack trace, no hang, and offline:
 * no connection is opened. A failure names the seed and case, so it can be replayed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { validate } from '../../src/api/validate.js';
import { validateManifestText, type Problem } from '../../src/manifest/index.js';
import { seededRandom } from '../../src/emulator/fault-random.js';

const SEED = 0x7e4a_f015;
const CASES = 300;
/** Per case; the slowest mutation (a 100,000-character value) takes tens of milliseconds. */
const CASE_BUDGET_MS = 2000;

const BASES = ['manifests', 'test/fixtures/verify'].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: path.join(dir, f), text: readFileSync(path.join(dir, f), 'utf8') })),
);

/** The emulator's seeded PRNG (mulberry32): the same mutations on every machine. */
const random = seededRandom;

const VALUES = [
  '7',
  '-1',
  'true',
  '~',
  '[]',
  '{}',
  '[a, [b, {c: d}]]',
  '"${var.nope}"',
  '${',
  '"${tenant.id}"',
  '${apps.nope.appId}',
  '*nope',
  '&a',
  "'unterminated",
  '"unterminated',
  '[api://{appId}]',
  '999999999y',
  '9999y',
  '"\\u0000"',
  '"a\\tb"',
  '0x1F',
  '2026-01-01',
  '!!binary aGk=',
  '|\n  block',
  '>-',
  '"ünïcødé ✓"',
];

const SNIPPETS = [
  'x: &a\n  y: *a',
  'x: &a\n  b: ${tenant.id}\n  c: *a',
  'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
  `deep: ${'['.repeat(1000)}${']'.repeat(1000)}`,
  `deeper: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}`,
  `list:\n${'- '.repeat(2000)}x`,
  `long: ${'v'.repeat(100_000)}`,
  `refs: "${'${var.x}'.repeat(5000)}"`,
  'variables:\n  a: {default: "${var.b}"}\n  b: {default: "${var.a}"}',
  '<<: *nope',
  '? [complex, key]\n: value',
  '---\nstack: second',
  '\t tab: indented',
  '%YAML 1.1',
  'key: value # comment',
  'dup: 1\ndup: 2',
  'stack: again\nx: &r\n  b: ${tenant.id}\n  c: *r',
  `many: [${Array.from({ length: 150 }, () => '*s').join(', ')}]\ns: &s 1`,
];

const STRAY = [':', '-', '[', ']', '{', '}', '&', '*', '!', '|', '>', "'", '"', '#', '%', '@', '`', ',', '?', '\t', '\0', '\uFEFF', ' ', '\n'];

type Mutation = (text: string, r: () => number) => string;
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const lineOp =
  (f: (lines: string[], i: number, r: () => number) => void): Mutation =>
  (text, r) => {
    const lines = text.split('\n');
    f(lines, Math.floor(r() * lines.length), r);
    return lines.join('\n');
  };

const MUTATIONS: Record<string, Mutation> = {
  deleteLine: lineOp((lines, i) => lines.splice(i, 1)),
  duplicateLine: lineOp((lines, i) => lines.splice(i, 0, lines[i])),
  swapLines: lineOp((lines, i, r) => {
    const j = Math.floor(r() * lines.length);
    [lines[i], lines[j]] = [lines[j], lines[i]];
  }),
  indent: lineOp((lines, i, r) => (lines[i] = ' '.repeat(1 + Math.floor(r() * 4)) + lines[i])),
  dedent: lineOp((lines, i) => (lines[i] = lines[i].replace(/^ {1,2}/, ''))),
  replaceValue: lineOp((lines, i, r) => {
    const candidates = lines.map((l, k) => (/^\s*-?\s*[\w-]+:\s*\S/.test(l) ? k : -1)).filter((k) => k >= 0);
    const k = candidates.length ? pick(r, candidates) : i;
    lines[k] = lines[k].replace(/^(\s*-?\s*[\w-]+:\s*).*$/, `$1${pick(r, VALUES)}`);
  }),
  replaceItem: lineOp((lines, i, r) => {
    const items = lines.map((l, k) => (/^\s*- \S/.test(l) ? k : -1)).filter((k) => k >= 0);
    if (items.length) lines[pick(r, items)] = lines[pick(r, items)].replace(/^(\s*- ).*$/, `$1${pick(r, VALUES)}`);
  }),
  insertSnippet: lineOp((lines, i, r) => {
    const indent = /^\s*/.exec(lines[i] ?? '')?.[0] ?? '';
    lines.splice(
      i,
      0,
      ...pick(r, SNIPPETS)
        .split('\n')
        .map((l) => indent + l),
    );
  }),
  appendSnippet: (text, r) => `${text}\n${pick(r, SNIPPETS)}\n`,
  anchorAndAlias: lineOp((lines, i, r) => {
    const maps = lines.map((l, k) => (/^\s*[\w-]+:\s*$/.test(l) ? k : -1)).filter((k) => k >= 0);
    if (!maps.length) return;
    const k = pick(r, maps);
    lines[k] += ' &m';
    // Inside its own anchor (recursive) or after it (a use that is fine, or a duplicate key).
    const at = r() < 0.5 ? k + 1 : Math.min(lines.length, k + 1 + Math.floor(r() * 20));
    lines.splice(at, 0, `${/^\s*/.exec(lines[k])![0]}  again: *m`);
  }),
  truncate: (text, r) => text.slice(0, Math.floor(r() * text.length)),
  strayCharacter: (text, r) => {
    const at = Math.floor(r() * text.length);
    return text.slice(0, at) + pick(r, STRAY) + text.slice(at + 1);
  },
  strayCharacters: (text, r) => {
    let out = text;
    for (let n = 0; n < 5; n++) out = MUTATIONS.strayCharacter(out, r);
    return out;
  },
};

interface Case {
  index: number;
  name: string;
  mutations: string[];
  text: string;
}

function makeCases(): Case[] {
  const r = random(SEED);
  const names = Object.keys(MUTATIONS);
  return Array.from({ length: CASES }, (_, index) => {
    const base = BASES[index % BASES.length];
    const mutations = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, names));
    const text = mutations.reduce((t, m) => MUTATIONS[m](t, r), base.text);
    return { index, name: base.name, mutations, text };
  });
}

/** Counts connections opened while `run` runs: validation is offline, so any is a failure. */
function offline<T>(run: () => T): { result: T; connections: string[] } {
  const connections: string[] = [];
  const connect = net.Socket.prototype.connect;
  const fetch = globalThis.fetch;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    connections.push(JSON.stringify(args[0]));
    this.destroy(new Error('validation opened a connection'));
    return this;
  } as typeof connect;
  globalThis.fetch = ((input: unknown) => {
    connections.push(String(input));
    return Promise.reject(new Error('validation called fetch'));
  }) as typeof fetch;
  try {
    return { result: run(), connections };
  } finally {
    net.Socket.prototype.connect = connect;
    globalThis.fetch = fetch;
  }
}

const NOT_A_USER_ERROR = /Maximum call stack|internal error|RangeError|TypeError|ReferenceError|This should not happen|\n\s+at /i;

function checkProblems(c: Case, problems: readonly Problem[], ok: boolean): void {
  const label = `case ${c.index} (${c.name}: ${c.mutations.join(' + ')}; seed ${SEED})`;
  const lines = c.text.split('\n').length;
  if (!ok)
    assert.ok(
      problems.some((p) => p.severity === 'error'),
      `${label}: not ok, but no error`,
    );
  for (const p of problems) {
    const where = `${label}: ${p.code} "${p.message.slice(0, 120)}"`;
    assert.equal(p.location.file, c.name, where);
    assert.ok(Number.isInteger(p.location.line) && p.location.line >= 1 && p.location.line <= lines + 1, `${where}: line ${p.location.line}`);
    assert.ok(Number.isInteger(p.location.column) && p.location.column >= 1, `${where}: column ${p.location.column}`);
    assert.doesNotMatch(p.message, NOT_A_USER_ERROR, where);
    assert.doesNotMatch(p.hint ?? '', NOT_A_USER_ERROR, where);
    assert.ok(p.message.length < 800 && !p.message.includes('\n'), `${where}: one readable line (${p.message.length} characters)`);
  }
}

describe(`validation fuzz (seed ${SEED}, ${CASES} mutations of ${BASES.length} example manifests)`, () => {
  const cases = makeCases();
  let dir: string | undefined;
  after(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  test('every mutation: located problems, no internal error, no stack trace, no hang, no connection', () => {
    let invalid = 0;
    let slowest = 0;
    for (const c of cases) {
      const started = performance.now();
      const { result, connections } = offline(() => validateManifestText(c.name, c.text, { env: {} }));
      const ms = performance.now() - started;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < CASE_BUDGET_MS, `case ${c.index} (${c.mutations.join(' + ')}) took ${ms.toFixed(0)} ms`);
      assert.deepEqual(connections, [], `case ${c.index}: validation opened a connection`);
      checkProblems(c, result.problems, result.ok);
      if (!result.ok) invalid++;
    }
    // The mutations must mostly break the manifests, or the test proves little.
    assert.ok(invalid > CASES / 2, `only ${invalid} of ${CASES} mutations were invalid`);
    assert.ok(slowest < CASE_BUDGET_MS);
  });

  test('through validate() from the package, from files (every 10th mutation)', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tenantform-fuzz-'));
    for (const c of cases.filter((k) => k.index % 10 === 0)) {
      const file = path.join(dir, `case-${c.index}.yaml`);
      await writeFile(file, c.text);
      const result = await validate({ manifests: [file], env: {} });
      checkProblems({ ...c, name: file }, result.problems, result.ok);
    }
  });
});
