import { HyperionError } from '../../protocol/errors.ts'
import { EXIT } from './exit-codes.ts'
import type { Io } from './context.ts'
import { fabric } from './commands/fabric.ts'
import { HELP } from './commands/help.ts'
import { init } from './commands/init.ts'
import { peers, status } from './commands/query.ts'
import { start } from './commands/start.ts'
import { VERSION } from '../version.ts'

type Command = (args: string[], io: Io) => Promise<number>

const COMMANDS: Record<string, Command> = { init, start, status, peers, fabric }

/** Error codes that mean "the input was wrong" (exit 2) rather than "it failed" (exit 1). */
const USAGE_CODES = new Set(['USAGE', 'INVALID_INPUT', 'INVALID_CONFIG', 'TOKEN_MALFORMED', 'TOKEN_EXPIRED', 'TOKEN_BAD_SIGNATURE', 'NOT_INITIALISED', 'ALREADY_INITIALISED'])

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
  const handler = COMMANDS[command]
  if (handler == null) {
    io.err(`hyperion: unknown command '${command}'; run 'hyperion help' for the list`)
    return EXIT.USAGE
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP)
    return EXIT.OK
  }
  try {
    return await handler(args, io)
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
