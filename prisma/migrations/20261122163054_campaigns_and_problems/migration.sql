/*
  Warnings:

  - A unique constraint covering the columns `[code]` on the table `Task` will be added. If there are existing duplicate values, this will fail.

*/
-- CreateEnum
CREATE TYPE "ProblemSource" AS ENUM ('inspection', 'visit', 'complaint', 'self_inspection', 'assigned');

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('minor', 'moderate', 'serious', 'critical');

-- CreateEnum
CREATE TYPE "CampaignStatus" AS ENUM ('active', 'reconciled');

-- CreateEnum
CREATE TYPE "ProblemStatus" AS ENUM ('open', 'closed');

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "code" TEXT,
ADD COLUMN     "problemId" UUID,
ADD COLUMN     "seq" INTEGER;

-- CreateTable
CREATE TABLE "Campaign" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "source" "ProblemSource" NOT NULL,
    "periodStart" DATE,
    "periodEnd" DATE,
    "ownerUnitId" UUID NOT NULL,
    "status" "CampaignStatus" NOT NULL DEFAULT 'active',
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "reconciledAt" TIMESTAMPTZ(3),
    "ledger" JSONB,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Problem" (
    "id" UUID NOT NULL,
    "campaignId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "source" "ProblemSource" NOT NULL,
    "category" TEXT NOT NULL,
    "severity" "Severity" NOT NULL,
    "foundOn" DATE NOT NULL,
    "status" "ProblemStatus" NOT NULL DEFAULT 'open',
    "closedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Problem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaskCoUnit" (
    "taskId" UUID NOT NULL,
    "unitId" UUID NOT NULL,

    CONSTRAINT "TaskCoUnit_pkey" PRIMARY KEY ("taskId","unitId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_code_key" ON "Campaign"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Problem_code_key" ON "Problem"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Problem_campaignId_seq_key" ON "Problem"("campaignId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "Task_code_key" ON "Task"("code");

-- CreateIndex
CREATE INDEX "Task_problemId_idx" ON "Task"("problemId");

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_ownerUnitId_fkey" FOREIGN KEY ("ownerUnitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Problem" ADD CONSTRAINT "Problem_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskCoUnit" ADD CONSTRAINT "TaskCoUnit_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskCoUnit" ADD CONSTRAINT "TaskCoUnit_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem"("id") ON DELETE SET NULL ON UPDATE CASCADE;
