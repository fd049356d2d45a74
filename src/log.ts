// Structured logs: one JSON object per line on stderr, for events worth logging; the level is set
// by --log-level (EXCHANGE_LOG_LEVEL).
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let threshold = LOG_LEVELS.indexOf("info");

export function setLogLevel(level: LogLevel): void {
  threshold = LOG_LEVELS.indexOf(level);
}

export function log(level: LogLevel | "fatal", msg: string, fields: Record<string, unknown> = {}): void {
  if (level !== "fatal" && LOG_LEVELS.indexOf(level) < threshold) return;
  console.error(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
}
