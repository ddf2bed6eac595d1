import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';

/** Shows an error to the reader (set by the App shell to antd's message API). */
let showError: (text: string) => void = () => undefined;
export const setErrorReporter = (fn: (text: string) => void) => {
  showError = fn;
};

const report = (err: unknown) => {
  if (err instanceof ApiError && err.status === 401) return; // the sign-in page takes over
  if (err instanceof ApiError && err.status === 404) return; // pages show "does not exist" themselves
  showError(err instanceof Error ? err.message : String(err));
};

/** The one data layer: every server read and write goes through this client; errors are shown once, here. */
export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: report }),
  // A mutation with `meta: { silent: true }` shows its error itself (e.g. inline on the sign-in form).
  mutationCache: new MutationCache({ onError: (err, _v, _c, mutation) => (mutation.meta?.silent ? undefined : report(err)) }),
  defaultOptions: {
    queries: { retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2, refetchOnWindowFocus: false, staleTime: 5_000 },
  },
});
