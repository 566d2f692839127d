/**
 * Errors of the node's state layer, by stable code:
 * - `STATE_STORE_CORRUPT`: the state database cannot be read (names the file).
 * - `STATE_STORE_VERSION`: the database was written by a newer build.
 */
import { HyperionError } from '../../protocol/errors.ts'

export class StateStoreError extends HyperionError {
  constructor (code: 'STATE_STORE_CORRUPT' | 'STATE_STORE_VERSION', message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}
