/**
 * Run the built CLI on a real terminal: a pseudo-terminal made by util-linux `script` (installed wherever
 * util-linux is: Debian's bsdutils, which every image has), so stdin and stdout are a TTY — the prompt shows,
 * readline takes the keys in raw mode, and Ctrl-C is the terminal's (a key at the prompt, SIGINT otherwise).
 * Node has no pty of its own; `script -qfec <cmd> /dev/null` runs <cmd> in one and passes our pipe through.
 */
import { spawn, spawnSync } from 'node:child_process';
import { childEnv, MAIN } from './cli.js';

/** `script` is there (the tests that need a terminal skip, saying why, where it is not). */
export const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

export const KEY = { ctrlC: '\x03', ctrlD: '\x04', enter: '\r' } as const;

export interface PtyRun {
  code: number | null;
  /** Everything the terminal showed (stdout and stderr together, as on a screen), CRs removed. */
  output: string;
}

export interface PtySession {
  /** Resolves once the terminal has shown text matching `pattern` (rejects after timeoutMs). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Type keys, as a person would. */
  type(keys: string): void;
  output(): string;
  done: Promise<PtyRun>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `tenantform <args>` in a pseudo-terminal, in `cwd`, with a clean environment plus `env` (TERM=dumb: no colour, plain prompt). */
export function runInPty(args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): PtySession {
  const base = childEnv();
  for (const k of Object.keys(base)) {
    if (k.startsWith('AZURE_') || k.startsWith('TENANTFORM_') || ['NO_COLOR', 'FORCE_COLOR'].includes(k)) delete base[k];
  }
  const command = [process.execPath, MAIN, ...args].map(quote).join(' ');
  // -q quiet, -f flush at once (we react to what it shows), -e exit with the command's exit code.
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: opts.cwd,
    env: { ...base, TERM: 'dumb', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const onData = (d: string) => {
    out += d.replace(/\r/g, '');
    for (const w of [...waiters]) {
      if (w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const done = new Promise<PtyRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, output: out });
    });
  });
  return {
    waitFor(pattern, timeoutMs = 60_000) {
      if (pattern.test(out)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`the terminal never showed ${pattern}; it showed:\n${out}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
        void done.then(() => {
          clearTimeout(t);
          if (!pattern.test(out)) reject(new Error(`tenantform exited before the terminal showed ${pattern}; it showed:\n${out}`));
        });
      });
    },
    type(keys) {
      child.stdin.write(keys);
    },
    output: () => out,
    done,
  };
}
