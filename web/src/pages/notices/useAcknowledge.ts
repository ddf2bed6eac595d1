import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { api, unwrap } from '../../api/client';
import { useT } from '../../locales';

/** 签收 a notice; lists, the notice and the dashboard refresh. */
export function useAcknowledgeNotice() {
  const t = useT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/notices/{id}/acknowledge', { params: { path: { id } }, body: {} })),
    onSuccess: () => {
      void message.success(t('notices.ackDone'));
      void queryClient.invalidateQueries({ queryKey: ['notices'] });
      void queryClient.invalidateQueries({ queryKey: ['notice'] });
      void queryClient.invalidateQueries({ queryKey: ['dashboard'] });
      void queryClient.invalidateQueries({ queryKey: ['task'] });
    },
  });
}
