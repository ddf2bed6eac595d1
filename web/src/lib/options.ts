import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { hasRole, useMe } from './auth';

/** The unit tree (everyone reads it). */
export const useUnits = () => useQuery({ queryKey: ['units'], queryFn: () => unwrap(api.GET('/api/units')), staleTime: 300_000 });

/** Campaigns, for those who may read them (the office and leaders); others get none. */
export function useCampaignOptions() {
  const me = useMe();
  return useQuery({
    queryKey: ['campaigns'],
    queryFn: () => unwrap(api.GET('/api/campaigns')),
    enabled: hasRole(me.data, 'office', 'leader'),
  });
}

/** The lifecycle's states, from the domain's one table (domain/lifecycle.ts is pure: the page imports it as it is). */
export { isTerminal, taskStatuses } from '../../../domain/lifecycle';
export const lights = ['red', 'yellow', 'green', 'none'] as const;
