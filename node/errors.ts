import { HyperionError } from '../protocol/errors.ts'

/** The daemon is not running (or not answering) on its admin socket: CLI exit code 3. */
export class DaemonUnreachableError extends HyperionError {
  constructor (message: string, options?: ErrorOptions) {
    super('DAEMON_UNREACHABLE', message, options)
  }
}

/** Another daemon holds this data dir. */
export class DataDirLockedError extends HyperionError {
  constructor (message: string) {
    super('DATA_DIR_LOCKED', message)
  }
}

/** Something in the data dir is missing, unreadable or already there. */
export class DataDirError extends HyperionError {
  constructor (code: 'NOT_INITIALISED' | 'ALREADY_INITIALISED' | 'CORRUPT_DATA_DIR' | 'NO_FABRIC' | 'ALREADY_IN_FABRIC', message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}

/** The fabric refused us, or we could not reach anyone who could let us in. */
export class JoinError extends HyperionError {
  constructor (code: string, message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}
