-- A chunk of a review report's task list is written gzipped (its JSON is ~5 times larger): the
-- column holds bytes; chunks written as text before are kept as their UTF-8 bytes (readers tell
-- them apart by the gzip header).

-- AlterTable
ALTER TABLE "ReviewReportTasks" ALTER COLUMN "rows" SET DATA TYPE BYTEA USING convert_to("rows", 'UTF8');
