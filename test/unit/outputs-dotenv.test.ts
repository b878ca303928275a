/**
 * dotenv files round-trip through every reader apps use: Node's `util.parseEnv`, the dotenv package's `parse`
 * (its default and its `fast` parser), and a real `node --env-file=FILE` child (which also runs
 * `process.loadEnvFile`). Awkward values are written so all of them read back exactly the original string,
 * or refused with an error that names the file and the key; never written for apps to misread.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseEnv } from 'node:util';
import dotenv from 'dotenv';
import { isTenantformError } from '../../src/errors.js';
import { parseDotenv, renderDotenv } from '../../src/outputs/dotenv.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';

/** Value → how it is written (the quoting rule, pinned). */
const AWKWARD: Array<[string, string]> = [
  ['plain-id', '6b2f0c1e-0000-4000-8000-000000000001'],
  ['url', 'https://login.microsoftonline.com/tenant/v2.0'],
  ['secret-alphabet', 'Ab1~x.y_z-Q8Q~'],
  ['empty', ''],
  ['double-quote', 'a"b'],
  ['single-quote', "it's"],
  ['backtick', 'a`b'],
  ['single-and-double', `a'b"c`],
  ['all-three-quotes', `a'b"c\`d`],
  ['wrapped-in-double', '"quoted"'],
  ['wrapped-in-single', "'quoted'"],
  ['backslash', 'C:\\Users\\me'],
  ['double-backslash', 'a\\\\b'],
  ['backslash-n-text', 'a\\nb'],
  ['backslash-r-text', 'a\\rb'],
  ['backslash-quote', 'a\\"b'],
  ['backslash-end', 'C:\\dir\\'],
  ['hash', 'a#b'],
  ['hash-after-space', 'a #b'],
  ['hash-start', '#a'],
  ['dollar', '$HOME'],
  ['dollar-brace', '${CLIENT_ID}x'],
  ['newline', 'line1\nline2'],
  ['newline-end', 'line1\n'],
  ['newline-start', '\nline2'],
  ['newline-only', '\n'],
  ['pem', PEM],
  ['backslash-then-newline', 'a\\\nb'],
  ['newline-and-double-quote', 'a"b\nc'],
  ['newline-and-backslash-n-text', 'a\\nb\nc'],
  ['newline-and-two-quotes', `a'b"c\nd`],
  ['lines-like-keys', 'x\nL=y\n# z\nexport M=1'],
  ['leading-space', '  lead'],
  ['trailing-space', 'trail  '],
  ['spaces-only', '   '],
  ['tab', '\ta\t'],
  ['equals', 'a=b=='],
  ['equals-start', '=a'],
  ['json', '{"a": "b", "c": [1]}'],
  ['unicode', 'é 漢 ✓'],
  ['line-separator', 'a\u2028b'],
  ['everything-but-one-quote', ` a'b"c #$x=\\y\nz `],
];

/** Values no quoting can carry for Node and the dotenv package both. */
const REFUSED: Array<[string, string]> = [
  ['crlf', 'line1\r\nline2'],
  ['cr', 'a\rb'],
  ['nul', 'a\0b'],
  ['three-quotes-and-newline', `a'b"c\`d\ne`],
  ['three-quotes-and-hash', `a'b"c\`d #e`],
  ['three-quotes-leading-space', ` a'b"c\`d`],
  ['three-quotes-at-start', `'a"b\`c`],
  ['space-and-backslash-end', ' a\\'],
  ['newline-and-backslash-end', 'a\nb\\'],
];

const keyOf = (i: number) => `TF_V${i}`;

/** What each reader makes of the text, for `keys`. */
function readers(text: string, keys: readonly string[]): Record<string, Record<string, string | undefined>> {
  const dir = mkdtempSync(join(tmpdir(), 'tenantform-dotenv-'));
  try {
    const file = join(dir, 'x.env');
    writeFileSync(file, text);
    // One child for both: what --env-file put into process.env, then what process.loadEnvFile puts there.
    const script = `const keys = ${JSON.stringify(keys)}; const pick = () => Object.fromEntries(keys.map((k) => [k, process.env[k]]));
const envFile = pick(); for (const k of keys) delete process.env[k]; process.loadEnvFile(${JSON.stringify(file)});
process.stdout.write(JSON.stringify({ envFile, loadEnvFile: pick() }));`;
    const child = JSON.parse(execFileSync(process.execPath, [`--env-file=${file}`, '-e', script], { env: {}, encoding: 'utf8' })) as Record<
      string,
      Record<string, string>
    >;
    const pick = (o: Record<string, string | undefined>) => Object.fromEntries(keys.map((k) => [k, o[k]]));
    return {
      parseEnv: pick(parseEnv(text)),
      dotenv: pick(dotenv.parse(text)),
      dotenvFast: pick(dotenv.parse(text, { fast: true })),
      ...child,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertAllRead(text: string, want: Record<string, string>): void {
  const got = readers(text, Object.keys(want));
  for (const [reader, values] of Object.entries(got)) {
    for (const [k, v] of Object.entries(want)) assert.equal(values[k], v, `${reader} reads ${JSON.stringify(v)} (${k}) as ${JSON.stringify(values[k])}`);
  }
}

describe('dotenv: every reader reads back exactly what was meant', () => {
  test('each awkward value, in one file, through util.parseEnv, dotenv.parse (both parsers), node --env-file and process.loadEnvFile', () => {
    const values = AWKWARD.map(([, v], i): [string, string] => [keyOf(i), v]);
    const text = renderDotenv('out/x.env', values);
    assertAllRead(text, Object.fromEntries(values));
  });

  test('each awkward value alone, first and last in the file (no reader depends on its neighbours)', () => {
    for (const [name, v] of AWKWARD) {
      const text = renderDotenv('out/x.env', [
        ['A', v],
        ['B', 'q\'"`'],
        ['C', v],
      ]);
      assert.deepEqual(parseEnv(text), { A: v, B: 'q\'"`', C: v }, name);
      assert.deepEqual({ ...dotenv.parse(text) }, { A: v, B: 'q\'"`', C: v }, name);
      assert.deepEqual({ ...dotenv.parse(text, { fast: true }) }, { A: v, B: 'q\'"`', C: v }, name);
    }
  });

  test('the quoting rule: bare when plain, then single quotes, then double, then backticks, then bare again', () => {
    const line = (v: string) => renderDotenv('x.env', [['K', v]]);
    assert.equal(line('Ab1~x.y_z-Q8Q~'), 'K=Ab1~x.y_z-Q8Q~\n', 'ids, URLs and client secrets stay bare, as before');
    assert.equal(line(''), 'K=\n');
    assert.equal(line('a b"c'), `K='a b"c'\n`, 'single quotes are literal in every reader');
    assert.equal(line('$HOME #x'), `K='$HOME #x'\n`);
    assert.equal(line("it's"), `K="it's"\n`);
    assert.equal(line(`a'b"c`), 'K=`a\'b"c`\n');
    assert.equal(line(`a'b"c\`d`), `K=a'b"c\`d\n`, 'all three quotes: unquoted is the only way');
    assert.equal(line('C:\\dir\\'), 'K=C:\\dir\\\n', 'a quoted value must not end in a backslash');
    assert.equal(line(PEM), `K="${PEM.replace(/\n/g, '\\n')}"\n`, 'a multi-line value stays on one line');
    assert.equal(line('a"b\nc'), "K='a\"b\nc'\n", 'or runs over lines, quoted, when "…" cannot hold it');
    assert.equal(line('a\\nb\nc'), "K='a\\nb\nc'\n", '"…" would turn the \\n of the value into a newline');
  });

  test('random values from the awkward alphabet: each is refused or read back exactly by every reader', () => {
    // A fixed seed: the same values every run (mulberry32).
    let seed = 0x7e4a9f;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const alphabet = ['a', 'n', 'r', ' ', '\t', "'", '"', '`', '\\', '#', '$', '{', '}', '=', '\n', 'é', '\u2028'];
    const written: Array<[string, string]> = [];
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      const v = Array.from({ length: Math.floor(random() * 10) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      try {
        renderDotenv('x.env', [['K', v]]);
        written.push([keyOf(written.length), v]);
      } catch (e) {
        assert.ok(isTenantformError(e) && e.code === 'OUTPUT_FAILED', String(e));
        refused++;
      }
    }
    assert.ok(written.length > 500, `only ${written.length} of 600 are representable (${refused} refused)`);
    assertAllRead(renderDotenv('x.env', written), Object.fromEntries(written));
  });

  test('refuses what no quoting carries: names the file and key and the next step, never the value', () => {
    for (const [name, v] of REFUSED) {
      assert.throws(
        () =>
          renderDotenv('out/daemon.env', [
            ['OK', 'fine'],
            ['CLIENT_SECRET', v],
          ]),
        (e: unknown) => {
          assert.ok(isTenantformError(e), name);
          assert.equal(e.code, 'OUTPUT_FAILED');
          assert.deepEqual(e.meta, { path: 'out/daemon.env', key: 'CLIENT_SECRET' });
          assert.match(e.message, /^Cannot write CLIENT_SECRET to out\/daemon\.env as dotenv: .* Use format: json/);
          assert.ok(!e.message.includes(v), `${name}: the message shows the value`);
          return true;
        },
        name,
      );
    }
  });

  test('why: no reader has an escape for a quote, and Node drops every carriage return', () => {
    // The old JSON-style writing of a"b (K): every reader misreads it (Node stops at the \, dotenv keeps the \).
    // Double quotes expand \n in every reader, but \r only in dotenv (L); a raw \r is gone in Node (M).
    // Unquoted, # starts a comment even without a space before it (N).
    const text = 'K="a\\"b"\nL="a\\rb\\nc"\nM="c\r\nd"\nN=a#b\n';
    const node = { K: 'a\\', L: 'a\\rb\nc', M: 'c\nd', N: 'a' };
    const dotenvReads = { K: 'a\\"b', L: 'a\rb\nc', M: 'c\nd', N: 'a' };
    assert.deepEqual(readers(text, ['K', 'L', 'M', 'N']), { parseEnv: node, dotenv: dotenvReads, dotenvFast: dotenvReads, envFile: node, loadEnvFile: node });
    // A quoted value ending in a backslash runs on, in dotenv, to a later quote.
    assert.deepEqual({ ...dotenv.parse("K='a\\'\nL=b'\n") }, { K: "a\\'\nL=b" });
    assert.deepEqual(parseEnv("K='a\\'\nL=b'\n"), { K: 'a\\', L: "b'" });
  });

  test('parseDotenv reads as Node does', () => {
    assert.deepEqual(parseDotenv('A=bare\nB=\'q "x" \\\\ y\'\n# c\nexport C=1\nD="s\\nt" # note\nE="a\\"b"\nF=g#h\r\n'), {
      A: 'bare',
      B: 'q "x" \\\\ y',
      C: '1',
      D: 's\nt',
      E: 'a\\',
      F: 'g',
    });
  });
});
