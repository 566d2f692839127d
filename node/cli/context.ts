import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { join } from 'node:path'
import { InvalidInputError } from '../../protocol/errors.ts'
import { resolveDataDir } from '../config/data-dir.ts'
import { AdminClient } from './client.ts'

/** Flags every command takes (SPEC: `--data-dir` everywhere, `--json` where it prints data). */
export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  'admin-socket': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const satisfies ParseArgsOptionsConfig

export interface Io {
  out: (text: string) => void
  err: (text: string) => void
}

/**
 * Parses a command's flags strictly: an unknown flag or a missing value is a
 * usage error (exit 2) that names it, never silently ignored.
 */
export function parseFlags<O extends ParseArgsOptionsConfig> (command: string, args: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, strict: true, allowPositionals: positionals > 0 })
    if (parsed.positionals.length > positionals) throw new InvalidInputError(`unexpected argument '${parsed.positionals[positionals]}'`)
    return parsed
  } catch (err) {
    if (err instanceof InvalidInputError) throw new InvalidInputError(`hyperion ${command}: ${err.message}; see 'hyperion help'`, 'USAGE')
    throw new InvalidInputError(`hyperion ${command}: ${(err as Error).message}; see 'hyperion help'`, 'USAGE')
  }
}

export function dataDirOf (values: { 'data-dir'?: string | undefined }): string {
  return resolveDataDir(values['data-dir'])
}

export function clientFor (values: { 'data-dir'?: string | undefined, 'admin-socket'?: string | undefined }): AdminClient {
  const dataDir = dataDirOf(values)
  return new AdminClient(values['admin-socket'] ?? join(dataDir, 'admin.sock'), dataDir)
}

/** Prints `value` as one JSON document, or as the human rendering. */
export function print (io: Io, json: boolean | undefined, value: unknown, human: () => string): void {
  io.out(json === true ? JSON.stringify(value, null, 2) : human())
}
