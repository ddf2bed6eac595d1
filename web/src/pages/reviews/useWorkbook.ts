import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';

/** The file name of an `attachment; filename*=UTF-8''…` header (the API sends one with every workbook). */
function fileNameOf(disposition: string | null): string | null {
  const encoded = disposition && /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (encoded) return decodeURIComponent(encoded);
  return (disposition && /filename="([^"]+)"/i.exec(disposition)?.[1]) || null;
}

/**
 * Downloads a report's workbook (GET /api/reviews/{id}/excel) through the typed client and saves it
 * under the API's file name (e.g. 季讲评-2026-Q3.xlsx); errors go through the data layer like every call.
 */
export function useWorkbookDownload() {
  return useMutation({
    mutationFn: async (id: string) => {
      const result = await api.GET('/api/reviews/{id}/excel', { params: { path: { id } }, parseAs: 'blob' });
      const blob = (await unwrap(Promise.resolve(result))) as unknown as Blob;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileNameOf(result.response.headers.get('Content-Disposition')) ?? `${id}.xlsx`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
  });
}
