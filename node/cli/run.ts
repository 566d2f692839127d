import { HyperionError } from '../../protocol/errors.ts'
import { EXIT } from './exit-codes.ts'
import type { Io } from './context.ts'
import { HELP } from './commands/help.ts'
import { VERSION } from '../version.ts'

type Command = (args: string[], io: Io) => Promise<number>

/**
 * Loaded on demand: `status` and `peers` are small HTTP clients and should
 * not pay for importing libp2p, which only `start` needs.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./commands/init.ts')).init,
  start: async () => (await import('./commands/start.ts')).start,
  status: async () => (await import('./commands/query.ts')).status,
  peers: async () => (await import('./commands/query.ts')).peers,
  nodes: async () => (await import('./commands/query.ts')).nodes,
  fabric: async () => (await import('./commands/fabric.ts')).fabric,
  simulate: async () => (await import('./commands/simulate.ts')).simulate,
  apply: async () => (await import('./commands/workloads.ts')).apply,
  get: async () => (await import('./commands/workloads.ts')).get,
  describe: async () => (await import('./commands/workloads.ts')).describe,
  delete: async () => (await import('./commands/workloads.ts')).remove
}

/** Error codes that mean "the input was wrong" (exit 2) rather than "it failed" (exit 1). */
const USAGE_CODES = new Set(['USAGE', 'INVALID_SCENARIO', 'UNKNOWN_POLICY', 'INVALID_MANIFEST', 'MANIFEST_SYNTAX', 'MANIFEST_TOO_LARGE', 'UNSUPPORTED_CONTENT_TYPE', 'BODY_TOO_LARGE', 'INVALID_INPUT', 'INVALID_CONFIG', 'TOKEN_MALFORMED', 'TOKEN_EXPIRED', 'TOKEN_BAD_SIGNATURE', 'NOT_INITIALISED', 'ALREADY_INITIALISED'])

const stdio: Io = {
  out: (text) => { process.stdout.write(text + '\n') },
  err: (text) => { process.stderr.write(text + '\n') }
}

/** Runs one CLI invocation and returns its exit code (SPEC "Command line"). */
export async function run (argv: string[], io: Io = stdio): Promise<number> {
  const [command, ...args] = argv
  if (command == null || command === 'help' || command === '--help' || command === '-h') {
    io.out(HELP)
    return command == null ? EXIT.USAGE : EXIT.OK
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.out(VERSION)
    return EXIT.OK
  }
  const load = COMMANDS[command]
  if (load == null) {
    io.err(`hyperion: unknown command '${command}'; run 'hyperion help' for the list`)
    return EXIT.USAGE
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP)
    return EXIT.OK
  }
  try {
    return await (await load())(args, io)
  } catch (err) {
    if (err instanceof HyperionError) {
      io.err(`hyperion ${command}: ${err.message}`)
      if (err.code === 'DAEMON_UNREACHABLE') return EXIT.UNREACHABLE
      if ((err as { status?: number }).status === 400 || USAGE_CODES.has(err.code)) return EXIT.USAGE
      return EXIT.FAILED
    }
    io.err(`hyperion ${command}: unexpected error: ${(err as Error).stack ?? String(err)}`)
    return EXIT.FAILED
  }
}
