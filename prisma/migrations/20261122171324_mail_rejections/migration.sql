-- AlterEnum
ALTER TYPE "MailStatus" ADD VALUE 'rejected';

-- AlterTable
ALTER TABLE "MailMessage" ADD COLUMN     "error" TEXT;
