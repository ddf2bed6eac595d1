-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "projectionSeq" INTEGER NOT NULL DEFAULT 0;
