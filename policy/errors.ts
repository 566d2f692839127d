/**
 * Stable error codes of the placement layer. Callers match on `code`; the
 * message names the field and the value given.
 */
import { HyperionError, InvalidInputError } from '../protocol/errors.ts'

export const POLICY_ERROR_CODES = {
  /** A scenario file breaks the schema (unknown field, wrong type, bad number). */
  INVALID_SCENARIO: 'INVALID_SCENARIO',
  /** A fabric snapshot or placement request is malformed (NaN price, zero capacity, …). */
  INVALID_SNAPSHOT: 'INVALID_SNAPSHOT',
  /** A learned model file is missing or cannot be loaded. */
  MODEL_UNAVAILABLE: 'MODEL_UNAVAILABLE',
  /** A scorer chose a node that a hard constraint forbids: a bug, never a user error. */
  CONSTRAINT_VIOLATION: 'CONSTRAINT_VIOLATION'
} as const

export class InvalidScenarioError extends InvalidInputError {
  constructor (message: string, options?: ErrorOptions) {
    super(message, POLICY_ERROR_CODES.INVALID_SCENARIO, options)
  }
}

export class InvalidSnapshotError extends InvalidInputError {
  constructor (message: string, options?: ErrorOptions) {
    super(message, POLICY_ERROR_CODES.INVALID_SNAPSHOT, options)
  }
}

export class ModelUnavailableError extends HyperionError {
  constructor (message: string, options?: ErrorOptions) {
    super(POLICY_ERROR_CODES.MODEL_UNAVAILABLE, message, options)
  }
}

export class ConstraintViolationError extends HyperionError {
  constructor (message: string) {
    super(POLICY_ERROR_CODES.CONSTRAINT_VIOLATION, message)
  }
}
