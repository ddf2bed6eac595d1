import type { Scenario } from '../lib/types';
import { b1Create } from './b1-create';
import { b2Timeliness } from './b2-timeliness';
import { b3Reads } from './b3-reads';
import { b4Memory } from './b4-memory';
import { b5Reports } from './b5-reports';
import { b6Spreadsheets } from './b6-spreadsheets';
import { b7Web } from './b7-web';
import { b8Durability } from './b8-durability';

/**
 * Every scenario, in the order they run; they share one stack, and each leaves its tasks open
 * for the next: B1 creates the first 1,000, B4 grows the open set to 10,000 (measuring memory on
 * the way), B2 adds its 1,000 reminders on top, B3 reads the lot, B5 adds 100,000 back-dated
 * tasks of its own and runs the monthly review report over them; B6 imports a 5,000-row
 * spreadsheet and exports the whole task list (adding tasks up to 100,000 if B5 did not run); B7
 * opens the web workbench's ledger and dashboard in a real Chromium over the open tasks; B8
 * compares two fresh dev servers of its own, SQLite synchronous=NORMAL against OFF.
 */
export const scenarios: Scenario[] = [b1Create, b4Memory, b2Timeliness, b3Reads, b7Web, b5Reports, b6Spreadsheets, b8Durability];
