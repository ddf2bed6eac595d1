-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "policy" JSONB;
