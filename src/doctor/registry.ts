import type { DoctorCheck } from './types.js';
import { nodeCheck } from './checks/node.js';
import { directoriesCheck } from './checks/directories.js';
import { configCheck } from './checks/config.js';
import { databaseCheck } from './checks/database.js';
import { credentialCheck, tokenExpiryCheck } from './checks/credential.js';
import { cronCredentialCheck } from './checks/cron-credential.js';
import { apiCheck } from './checks/api.js';
import { scheduleCheck } from './checks/schedule.js';
import { lastRunCheck } from './checks/last-run.js';
import { lockCheck } from './checks/lock.js';

/** Every check, in the order doctor prints them: from the machine up to the schedule's results. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  nodeCheck,
  directoriesCheck,
  configCheck,
  databaseCheck,
  credentialCheck,
  tokenExpiryCheck,
  apiCheck,
  cronCredentialCheck,
  scheduleCheck,
  lastRunCheck,
  lockCheck,
];
