import { HyperionError } from '../errors.ts'

/**
 * A message that cannot be decoded: truncated, oversized, trailing bytes, a
 * field out of range or an unknown version. `reason` names the field.
 */
export class MalformedMessageError extends HyperionError {
  constructor (message: string, options?: ErrorOptions) {
    super('MALFORMED_MESSAGE', message, options)
  }
}
