import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { sheetEntry } from '../../api/campaigns/spreadsheet/export';

/**
 * The streamed export waits on the zip entry its worksheet writes into (exceljs does not heed that
 * stream's back-pressure; without the wait an export of 100,000 tasks buffers every uncompressed
 * row). The entry is reached through exceljs internals: this fails if an upgrade changes them.
 */
describe('the streamed task export', () => {
  test("reaches the worksheet's zip entry and its back-pressure state", async () => {
    const out = new PassThrough();
    out.resume();
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const ws = wb.addWorksheet('任务清单');
    ws.addRow(['任务编号']).commit();
    const entry = sheetEntry(ws);
    expect(entry).toBeDefined();
    expect(typeof entry!.once).toBe('function');
    expect(typeof entry!._writableState?.needDrain).toBe('boolean');
    expect(typeof entry!._writableState?.length).toBe('number');
    ws.commit();
    await wb.commit();
  });
});
