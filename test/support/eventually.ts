/**
 * Retries an assertion until it passes or `timeoutMs` (real time) runs out, for projections that
 * trail the workflow by one activity. Rethrows the last failure, so the message is the assertion's.
 */
export async function eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
