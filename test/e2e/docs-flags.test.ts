/**
 * Every flag the README and docs/ name for a tenantform command is one that command has (issue 14: the README
 * once promised `plan --home-tenant` and `--json` everywhere). Read from the option lines of the built CLI's own `--help`, per
 * command, so a renamed or dropped option fails here.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MAIN, REPO_ROOT } from '../helpers/cli.js';

const COMMANDS = ['plan', 'apply', 'destroy', 'import', 'export', 'output', 'emulator', 'validate', 'schema', 'verify', 'consent-url'];

describe('flags in the docs', () => {
  test('every `tenantform <command> … --flag` in README.md and docs/ is an option of that command', () => {
    const options = new Map(
      COMMANDS.map((c) => [
        c,
        new Set(
          [...execFileSync(process.execPath, [MAIN, c, '--help'], { encoding: 'utf8' }).matchAll(/^\s+(?:-[a-zA-Z], )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]),
        ),
      ]),
    );
    const docs = [
      'README.md',
      ...readdirSync(join(REPO_ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f)),
    ];
    const wrong: string[] = [];
    let seen = 0;
    for (const file of docs) {
      readFileSync(join(REPO_ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // One invocation: up to the next `tenantform`, `#` comment, table cell or code span end.
          for (const m of line.matchAll(/tenantform\s+([a-z-]+)((?:(?!tenantform|#|\||`).)*)/g)) {
            const flags = options.get(m[1]);
            if (!flags) continue;
            for (const f of m[2].match(/(?<![\w-])--[a-z][a-z-]*/g) ?? []) {
              seen++;
              if (!flags.has(f)) wrong.push(`${file}:${i + 1}: tenantform ${m[1]} has no ${f}`);
            }
          }
        });
    }
    assert.ok(seen > 20, `only ${seen} flags found: the pattern no longer matches the docs`);
    assert.deepEqual(wrong, []);
  });
});

describe('template values in the docs', () => {
  test('every `${tenant.…}` field and every certificate field the manifest accepts is documented in README.md', async () => {
    const { TENANT_FIELDS, CERTIFICATE_FIELDS } = await import('../../src/manifest/references.js');
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const missing = [
      ...TENANT_FIELDS.filter((f) => !readme.includes(`\${tenant.${f}}`)).map((f) => `\${tenant.${f}}`),
      ...CERTIFICATE_FIELDS.filter((f) => !new RegExp(`\`${f}\``).test(readme)).map((f) => `certificate field ${f}`),
    ];
    if (!readme.includes('${apps.KEY.scopes.VALUE}')) missing.push('${apps.KEY.scopes.VALUE}');
    assert.deepEqual(missing, [], 'README.md "Outputs" names every template value');
  });
});
