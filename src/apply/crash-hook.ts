/**
 * TEST HOOK — crash injection for the crash-safety tests (test/e2e/crash-*.test.ts); inert otherwise.
 *
 * With TENANTFORM_TEST_CRASH_AFTER_WRITES=k in the environment, the process kills itself with SIGKILL right
 * after its k-th write: a successful Graph write (before its response is used, e.g. before the secret that
 * addPassword returned reaches the cache) or a local state write (secret cache, certificate store, an output
 * file). SIGKILL cannot be caught, so no cleanup runs: exactly what a crash or `kill -9` does.
 *
 * This is the only place that reads the variable. Nothing else in tenantform reads or writes it.
 */
const ENV = 'TENANTFORM_TEST_CRASH_AFTER_WRITES';
const limit = Number(process.env[ENV] ?? '');
let writes = 0;

/** Count one completed write; `what` names it for the test's diagnostics (stderr, never a value). */
export function afterWrite(what: string): void {
  if (!Number.isInteger(limit) || limit <= 0) return;
  writes++;
  // The tests count the writes of a run with a limit it never reaches; one line per write, names only.
  process.stderr.write(`[crash-hook] write ${writes}: ${what}\n`);
  if (writes === limit) {
    process.kill(process.pid, 'SIGKILL');
    // The signal is delivered at once; block so not one more statement runs meanwhile.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
  }
}
