/** SPEC "Command line": what scripts may rely on. */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  UNREACHABLE: 3
} as const
