import { isDeepStrictEqual, parseEnv } from 'node:util';
import { TenantformError } from '../errors.js';

/**
 * dotenv, written and read in one place. Apps read these files with Node's own parser (`node --env-file`,
 * https://nodejs.org/docs/latest-v20.x/api/cli.html#--env-fileconfig, `process.loadEnvFile`, `util.parseEnv`,
 * https://nodejs.org/docs/latest-v20.x/api/util.html#utilparseenvcontent) or with the dotenv package
 * (https://github.com/motdotla/dotenv, README "What rules does the parsing engine follow?").
 * Neither has an escape for a quote or a backslash, so the JSON-style `"a\"b"` of old reads as `a\` in Node.
 * What the two agree on (Node 20, dotenv 18; pinned by test/unit/outputs-dotenv.test.ts against both parsers and a
 * real `node --env-file` child):
 * - A value in '…', "…" or `…` ends at the first matching quote in Node; there is no escape for it.
 * - '…' and `…` are literal, raw newlines included. "…" turns the two characters `\n` into a newline (dotenv
 *   also turns `\r` into a carriage return, Node does not), and is literal otherwise.
 * - A quoted value must not end in a backslash: dotenv reads `\'` as a quote that does not close the value and
 *   runs on into the next lines to a later quote.
 * - Node deletes every carriage return of the file before parsing (dotenv turns \r\n into \n): no quoting
 *   keeps one.
 * - Unquoted: `#` anywhere starts a comment (not only after a space); Node trims only spaces at the ends,
 *   dotenv every whitespace; a leading quote makes Node look for a closing one, possibly lines further on.
 */

/** Today's bare values: ids, URLs, scopes, client secrets. Left unquoted, so most files read as before. */
const PLAIN = /^[A-Za-z0-9_./:@~+=,{}-]*$/;

/** How one value is written, or why it cannot be. */
function encode(v: string): { text: string } | { problem: string } {
  if (v.includes('\r')) return { problem: 'a carriage return (Node drops every \\r of a .env file, and has no escape for one)' };
  if (v.includes('\0')) return { problem: 'a NUL character (no environment variable can hold one)' };
  if (PLAIN.test(v)) return { text: v };
  const quotable = !v.endsWith('\\');
  const single = quotable && !v.includes("'") ? `'${v}'` : undefined;
  // "…" only for what its one escape cannot misread: no `\n` or `\r` of its own (dotenv expands both).
  const double = quotable && !v.includes('"') && !/\\[nr]/.test(v) ? `"${v.replace(/\n/g, '\\n')}"` : undefined;
  const backtick = quotable && !v.includes('`') ? `\`${v}\`` : undefined;
  // A multi-line value stays on one line where it can ("…\n…", as the dotenv README shows for private keys).
  const quoted = v.includes('\n') ? (double ?? single ?? backtick) : (single ?? double ?? backtick);
  if (quoted !== undefined) return { text: quoted };
  // Unquoted, any character but a newline and `#` reads back, if it does not start with a quote or a space.
  if (!/[\n#]/.test(v) && !/^['"`]/.test(v) && v.trim() === v) return { text: v };
  return { problem: describe(v) };
}

/** What makes `v` unwritable (never the value itself: it may be a secret). */
function describe(v: string): string {
  const bits = [
    ...["'", '"', '`'].filter((q) => v.includes(q)).map((q) => `a ${q} quote`),
    /^['"`]/.test(v) && 'a quote at the start',
    v.endsWith('\\') && 'a backslash at the end',
    /\\[nr]/.test(v) && 'a backslash before "n" or "r"',
    v.includes('\n') && 'a newline',
    v.includes('#') && 'a "#"',
    v.trim() !== v && 'leading or trailing whitespace',
  ].filter((b): b is string => typeof b === 'string');
  const list = bits.length > 1 ? `${bits.slice(0, -1).join(', ')} and ${bits[bits.length - 1]}` : bits.join('');
  return `${list}, which no .env quoting reads back exactly (a quoted value cannot hold its own quote or end in a backslash; an unquoted one cannot hold a newline or "#", or start with a quote or a space)`;
}

/**
 * The text of a dotenv file that Node and the dotenv package read back as exactly `values`. Refuses (never
 * writes something apps misread) a value no quoting can carry, naming the file and the key but not the value.
 */
export function renderDotenv(path: string, values: ReadonlyArray<readonly [string, string]>): string {
  const lines = values.map(([key, value]) => {
    const e = encode(value);
    if ('problem' in e) {
      throw new TenantformError(
        'OUTPUT_FAILED',
        `Cannot write ${key} to ${path} as dotenv: its value holds ${e.problem}. Use format: json for this output, or change the value.`,
        { path, key },
      );
    }
    return `${key}=${e.text}`;
  });
  const text = `${lines.join('\n')}\n`;
  // Belt and braces: read it back as Node does before anything is written. A mismatch is a bug in encode().
  const want = Object.fromEntries(values);
  if (!isDeepStrictEqual(parseDotenv(text), want))
    throw new Error(`dotenv encoding of ${path} does not read back as written (keys ${Object.keys(want).join(', ')})`);
  return text;
}

/** The one dotenv reader of the tool: exactly what Node apps read (`util.parseEnv`, as `node --env-file`). */
export function parseDotenv(text: string): Record<string, string> {
  return { ...parseEnv(text) } as Record<string, string>;
}
