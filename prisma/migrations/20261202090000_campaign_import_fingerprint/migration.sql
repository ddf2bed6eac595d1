-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "importFingerprint" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_importFingerprint_key" ON "Campaign"("importFingerprint");
