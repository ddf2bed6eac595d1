import { useQuery } from '@tanstack/react-query';
import { api, ApiError, type ResponseOf, unwrap } from '../api/client';

export type Me = ResponseOf<'/api/auth/me', 'get'>;
export type Role = Me['roles'][number];

/** The signed-in person (from the session cookie), or null when nobody is signed in. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<Me | null> => {
      try {
        return await unwrap(api.GET('/api/auth/me'));
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

export const hasRole = (me: Me | null | undefined, ...roles: Role[]) => !!me && roles.some((r) => me.roles.includes(r));

/** Where a sign-in should return to: only a path of this site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}
