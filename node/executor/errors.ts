import { HyperionError } from '../../protocol/errors.ts'

/** The replica cannot run on this node as specified (no command, no runtime for its image…). */
export class ReplicaSpecError extends HyperionError {
  constructor (code: 'NO_COMMAND' | 'NO_CONTAINER_RUNTIME', message: string) {
    super(code, message)
  }
}

/** Spawning the process failed (command not found, not executable, cwd missing). */
export class SpawnError extends HyperionError {
  constructor (message: string, options?: ErrorOptions) {
    super('SPAWN_FAILED', message, options)
  }
}

/** `logs` asked for a replica this executor does not run and has no log files for. */
export class ReplicaNotFoundError extends HyperionError {
  constructor (workload: string, index: number) {
    super('REPLICA_NOT_FOUND', `no replica ${workload}/${index} on this node`)
  }
}

/** `ensure` before `start` or after `stop`. */
export class ExecutorNotRunningError extends HyperionError {
  constructor () {
    super('EXECUTOR_NOT_RUNNING', 'the executor is not running: call start() first (and not after stop())')
  }
}

export const EXECUTOR_ERROR_CODES = ['NO_COMMAND', 'NO_CONTAINER_RUNTIME', 'SPAWN_FAILED', 'REPLICA_NOT_FOUND', 'EXECUTOR_NOT_RUNNING'] as const
