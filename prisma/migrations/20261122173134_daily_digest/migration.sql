-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "dailyDigest" BOOLEAN NOT NULL DEFAULT false;
