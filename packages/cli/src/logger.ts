// The process logger: structured JSON lines (pino) tagged with the role, bound once per process.
import { pino, type Logger } from 'pino';

export function createLogger(role: string, level: string): Logger {
  return pino({ level, base: { role, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
