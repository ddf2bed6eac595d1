-- CreateEnum
CREATE TYPE "CalendarDayKind" AS ENUM ('holiday', 'workday');

-- CreateEnum
CREATE TYPE "CalendarSource" AS ENUM ('package', 'admin');

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "deadlineCalendarVersion" INTEGER,
ADD COLUMN     "deadlineWorkingDays" INTEGER;

-- CreateTable
CREATE TABLE "CalendarDay" (
    "date" DATE NOT NULL,
    "kind" "CalendarDayKind" NOT NULL,
    "name" TEXT NOT NULL,
    "source" "CalendarSource" NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CalendarDay_pkey" PRIMARY KEY ("date")
);

-- CreateTable
CREATE TABLE "CalendarMeta" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CalendarMeta_pkey" PRIMARY KEY ("id")
);
