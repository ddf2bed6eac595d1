-- The units' task lists of a review report leave its JSON content (a report of 100,000 tasks held
-- ~28 MB there) for chunked rows the API pages. Reports stored before keep their lists in content
-- and are read in either shape (lib/review/task-lists.ts).

-- CreateEnum
CREATE TYPE "ReviewTaskList" AS ENUM ('open', 'closed');

-- CreateTable
CREATE TABLE "ReviewReportTasks" (
    "reportId" UUID NOT NULL,
    "unitId" UUID NOT NULL,
    "list" "ReviewTaskList" NOT NULL,
    "chunk" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    "rows" TEXT NOT NULL,

    CONSTRAINT "ReviewReportTasks_pkey" PRIMARY KEY ("reportId","unitId","list","chunk")
);

-- AddForeignKey
ALTER TABLE "ReviewReportTasks" ADD CONSTRAINT "ReviewReportTasks_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "ReviewReport"("id") ON DELETE CASCADE ON UPDATE CASCADE;
