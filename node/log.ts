import { pino, type Logger } from 'pino'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

/**
 * Structured JSON logs on stderr, so stdout stays for what a command prints
 * (the bootstrap address and token of `start`, the JSON of `--json`).
 */
export function createLogger (level: LogLevel = 'info'): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }))
}

export type { Logger }
