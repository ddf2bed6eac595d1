-- CreateEnum
CREATE TYPE "ReviewPeriod" AS ENUM ('weekly', 'monthly', 'quarterly', 'annual');

-- CreateEnum
CREATE TYPE "ReviewReportType" AS ENUM ('dispatch', 'review', 'assessment');

-- CreateTable
CREATE TABLE "ReviewCycle" (
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "period" "ReviewPeriod" NOT NULL,
    "reportType" "ReviewReportType" NOT NULL,
    "time" TEXT NOT NULL DEFAULT '09:00',
    "recipientRoles" "Role"[],
    "scoring" JSONB,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReviewCycle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ReviewReport" (
    "id" UUID NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "cycleKey" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "periodEnd" TIMESTAMPTZ(3) NOT NULL,
    "reportType" "ReviewReportType" NOT NULL,
    "content" JSONB NOT NULL,
    "excel" BYTEA NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReviewReport_idempotencyKey_key" ON "ReviewReport"("idempotencyKey");

-- CreateIndex
CREATE INDEX "ReviewReport_cycleKey_period_idx" ON "ReviewReport"("cycleKey", "period");

-- AddForeignKey
ALTER TABLE "ReviewReport" ADD CONSTRAINT "ReviewReport_cycleKey_fkey" FOREIGN KEY ("cycleKey") REFERENCES "ReviewCycle"("key") ON DELETE RESTRICT ON UPDATE CASCADE;
