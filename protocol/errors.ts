/**
 * Every error Hyperion raises on purpose carries a stable `code` (the admin
 * API's `error.code`, matched by tests and scripts) and a message that says
 * what is wrong and what was given. Match errors by `code`, never by message.
 */
export class HyperionError extends Error {
  readonly code: string

  constructor (code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = code
  }
}

/** Input that breaks a format or a schema; the message names the field. */
export class InvalidInputError extends HyperionError {
  constructor (message: string, code = 'INVALID_INPUT', options?: ErrorOptions) {
    super(code, message, options)
  }
}
