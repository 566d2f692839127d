import { HyperionError } from '../../protocol/errors.ts'

/** An error the admin API answers with a specific HTTP status and a stable code. */
export class ApiError extends HyperionError {
  readonly status: number

  constructor (status: number, code: string, message: string) {
    super(code, message)
    this.status = status
  }
}

/** Stable codes a handler may throw as plain HyperionErrors, and the status each maps to. */
const STATUS_BY_CODE: Record<string, number> = {
  INVALID_INPUT: 400,
  INVALID_CONFIG: 400,
  NOT_FOUND: 404,
  NOT_AN_ISSUER: 409,
  NO_FABRIC: 409
}

export function statusFor (err: HyperionError): number {
  if (err instanceof ApiError) return err.status
  return STATUS_BY_CODE[err.code] ?? 400
}
