-- CreateEnum
CREATE TYPE "NoticeType" AS ENUM ('reminder', 'supervision_notice', 'admonition', 'circular', 'accountability');

-- CreateTable
CREATE TABLE "Notice" (
    "id" UUID NOT NULL,
    "taskId" UUID NOT NULL,
    "level" INTEGER NOT NULL,
    "type" "NoticeType" NOT NULL,
    "color" TEXT,
    "year" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "number" TEXT NOT NULL,
    "recipients" TEXT[],
    "requiresAck" BOOLEAN NOT NULL,
    "acknowledgedAt" TIMESTAMPTZ(3),
    "acknowledgedById" UUID,
    "idempotencyKey" TEXT NOT NULL,
    "issuedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Notice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NoticeCounter" (
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "NoticeCounter_pkey" PRIMARY KEY ("year")
);

-- CreateIndex
CREATE UNIQUE INDEX "Notice_number_key" ON "Notice"("number");

-- CreateIndex
CREATE UNIQUE INDEX "Notice_idempotencyKey_key" ON "Notice"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Notice_taskId_idx" ON "Notice"("taskId");

-- CreateIndex
CREATE UNIQUE INDEX "Notice_year_seq_key" ON "Notice"("year", "seq");

-- AddForeignKey
ALTER TABLE "Notice" ADD CONSTRAINT "Notice_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
