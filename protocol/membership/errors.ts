import { HyperionError } from '../errors.ts'

/**
 * Stable codes for everything that can be wrong with a join token or a
 * membership certificate. The daemon turns them into refusals that say which.
 */
export type MembershipErrorCode =
  | 'TOKEN_MALFORMED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_BAD_SIGNATURE'
  | 'TOKEN_WRONG_FABRIC'
  | 'TOKEN_WRONG_REGION'
  | 'CERT_MALFORMED'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_BAD_SIGNATURE'
  | 'CERT_WRONG_FABRIC'
  | 'CERT_WRONG_SUBJECT'
  | 'CERT_ISSUER_NOT_ADMIN'
  | 'CERT_CHAIN_TOO_LONG'
  | 'NOT_AN_ISSUER'

export class MembershipError extends HyperionError {
  declare readonly code: MembershipErrorCode

  constructor (code: MembershipErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}
