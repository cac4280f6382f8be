// Limits other modules check against without importing the whole schema (no import cycles).

/** CloudWatch Logs accepts only these retention values, from the guides' 90-day minimum up. */
export const LOG_RETENTION_DAYS = [90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** The guides' session limits: idle sessions end within 30 minutes, and no session outlives 8 hours. */
export const SESSION_IDLE_MAX_MINUTES = 30;
export const SESSION_MAX_HOURS = 8;
