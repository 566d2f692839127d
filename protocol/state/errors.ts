/**
 * Errors of the replicated state, by stable code:
 * - `INVALID_ENTRY` (an `InvalidInputError`): an entry from the wire or disk breaks its schema.
 * - `FORGED_WRITER`: an entry claims a writer that did not stamp it.
 * - `FABRIC_STATE_FULL`: a write would take the fabric past its state limits (HTTP 413).
 */
import { HyperionError } from '../errors.ts'

/** An entry whose writer field names someone other than its clock's node. */
export class ForgedWriterError extends HyperionError {
  constructor (message: string) {
    super('FORGED_WRITER', message)
  }
}

/** The fabric already holds as much as it is configured to. */
export class StateLimitError extends HyperionError {
  /** The HTTP status the admin API answers with. */
  readonly status = 413

  constructor (message: string) {
    super('FABRIC_STATE_FULL', message)
  }
}
