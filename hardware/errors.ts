/**
 * Errors raised by hardware probes. Codes are stable: the monitor records them
 * per field in a sample's `unknown` map, and logs and tests match on them.
 */
import { HyperionError, InvalidInputError } from '../protocol/errors.ts'

export const HardwareErrorCode = {
  /** A probe did not answer within its per-probe timeout. */
  PROBE_TIMEOUT: 'PROBE_TIMEOUT',
  /** A probe threw or its source (binary, file, endpoint) failed. */
  PROBE_FAILED: 'PROBE_FAILED',
  /** A probe's only data is older than it may be to count as current. */
  PROBE_STALE: 'PROBE_STALE',
  /** A line of nvidia-smi CSV does not have the queried shape. */
  NVIDIA_SMI_PARSE: 'NVIDIA_SMI_PARSE',
  /** A tegrastats line lacks a field every format has, or has a malformed one. */
  TEGRASTATS_PARSE: 'TEGRASTATS_PARSE',
  /** A cloud metadata answer does not have the documented shape. */
  CLOUD_METADATA_PARSE: 'CLOUD_METADATA_PARSE',
  /** A cloud metadata endpoint answered with an unexpected HTTP status. */
  CLOUD_METADATA_HTTP: 'CLOUD_METADATA_HTTP',
  /** A call that needs a started monitor came before start(). */
  HARDWARE_NOT_STARTED: 'HARDWARE_NOT_STARTED',
  /** An option given to a hardware component is out of range. */
  HARDWARE_INVALID_OPTION: 'HARDWARE_INVALID_OPTION'
} as const

export type HardwareErrorCode = typeof HardwareErrorCode[keyof typeof HardwareErrorCode]

export class ProbeTimeoutError extends HyperionError {
  constructor (probe: string, timeoutMs: number) {
    super(HardwareErrorCode.PROBE_TIMEOUT, `Probe '${probe}' did not answer within ${timeoutMs} ms`)
  }
}

export class ProbeFailedError extends HyperionError {
  constructor (probe: string, message: string, options?: ErrorOptions) {
    super(HardwareErrorCode.PROBE_FAILED, `Probe '${probe}' failed: ${message}`, options)
  }
}

export class ProbeStaleError extends HyperionError {
  constructor (probe: string, ageMs: number, maxAgeMs: number) {
    super(HardwareErrorCode.PROBE_STALE, `Probe '${probe}' has no reading newer than ${maxAgeMs} ms: latest is ${ageMs} ms old`)
  }
}

export class NvidiaSmiParseError extends InvalidInputError {
  constructor (message: string) {
    super(message, HardwareErrorCode.NVIDIA_SMI_PARSE)
  }
}

export class TegrastatsParseError extends InvalidInputError {
  constructor (message: string) {
    super(message, HardwareErrorCode.TEGRASTATS_PARSE)
  }
}

export class CloudMetadataParseError extends InvalidInputError {
  constructor (message: string) {
    super(message, HardwareErrorCode.CLOUD_METADATA_PARSE)
  }
}

export class CloudMetadataHttpError extends HyperionError {
  readonly status: number

  constructor (url: string, status: number) {
    super(HardwareErrorCode.CLOUD_METADATA_HTTP, `Cloud metadata ${url} answered HTTP ${status}`)
    this.status = status
  }
}

export class InvalidHardwareOptionError extends InvalidInputError {
  constructor (message: string) {
    super(message, HardwareErrorCode.HARDWARE_INVALID_OPTION)
  }
}

export class HardwareNotStartedError extends HyperionError {
  constructor (what: string) {
    super(HardwareErrorCode.HARDWARE_NOT_STARTED, `${what} needs the hardware monitor started: call start() first`)
  }
}

/** The stable code of any error, for a sample's `unknown` map. */
export function codeOf (err: unknown): string {
  if (err instanceof HyperionError) return err.code
  return HardwareErrorCode.PROBE_FAILED
}
