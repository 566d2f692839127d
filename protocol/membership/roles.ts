/**
 * A member runs workloads and takes part in the fabric. An admin can also
 * issue join tokens and sign membership certificates for others (the fabric
 * key's holder is the first admin). The wire value is append-only.
 */
export const ROLES = ['member', 'admin'] as const
export type Role = typeof ROLES[number]

export function roleToByte (role: Role): number {
  return ROLES.indexOf(role)
}

export function roleFromByte (value: number): Role | undefined {
  return ROLES[value]
}

export function isRole (value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}
