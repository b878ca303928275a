/**
 * TEST HOOK — crash injection for the real-SIGKILL crash-safety tests (test/e2e/crash-*.test.ts); inert otherwise.
 *
 * With TENANTFORM_TEST_CRASH_AFTER_WRITES=k in the environment of a command, the process kills itself with
 * SIGKILL right after its k-th write: a successful Graph write (before its response is used, e.g. before the
 * secret that addPassword returned reaches the cache) or a local state write (secret cache, certificate store,
 * an output file). SIGKILL cannot be caught, so no cleanup runs: exactly what a crash or `kill -9` does.
 *
 * The engine only knows an injected observer (CommonOptions.onWrite); this is the only place that reads the
 * variable, when a command runs (never at module load). Tests simulate most crash points in process through
 * the same observer (test/helpers/crash.ts).
 */
const ENV = 'TENANTFORM_TEST_CRASH_AFTER_WRITES';

/** The SIGKILL observer the variable asks for, or undefined when it is unset. */
export function crashObserver(env: Readonly<Record<string, string | undefined>> = process.env): ((what: string) => void) | undefined {
  const raw = env[ENV];
  if (raw === undefined || raw === '') return undefined;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit <= 0) return undefined;
  let writes = 0;
  return (what) => {
    writes++;
    // The tests count the writes of a run with a limit it never reaches; one line per write, names only.
    process.stderr.write(`[crash-observer] write ${writes}: ${what}\n`);
    if (writes === limit) {
      process.kill(process.pid, 'SIGKILL');
      // The signal is delivered at once; block so not one more statement runs meanwhile.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
    }
  };
}
