import type { HardwareMonitorInit } from '../../hardware/index.ts'
import { InvalidInputError } from '../../protocol/errors.ts'

/**
 * Cloud metadata settings come from the environment, so that a unit file, a
 * container or a test can set them without touching the node's config:
 *
 * - `HYPERION_CLOUD_METADATA=off` never asks a metadata service (default
 *   `auto`: ask AWS, GCP and Azure at start, 300 ms at most where none answers);
 * - `HYPERION_METADATA_URL_AWS|_GCP|_AZURE=http://host:port` points a
 *   provider's probe elsewhere (a proxy, or recorded answers in tests).
 */
export function cloudMetadataFromEnv (env: NodeJS.ProcessEnv): HardwareMonitorInit['cloud'] {
  const mode = env.HYPERION_CLOUD_METADATA ?? 'auto'
  if (mode === 'off') return false
  if (mode !== 'auto') throw new InvalidInputError(`HYPERION_CLOUD_METADATA: must be auto or off (got '${mode}')`, 'INVALID_CONFIG')
  const url = (name: string): { baseUrl: string } | undefined => {
    const v = env[`HYPERION_METADATA_URL_${name}`]
    if (v == null || v === '') return undefined
    try {
      return { baseUrl: new URL(v).toString().replace(/\/$/, '') }
    } catch {
      throw new InvalidInputError(`HYPERION_METADATA_URL_${name}: not a URL (got '${v}')`, 'INVALID_CONFIG')
    }
  }
  const aws = url('AWS')
  const gcp = url('GCP')
  const azure = url('AZURE')
  return { ...(aws != null ? { aws } : {}), ...(gcp != null ? { gcp } : {}), ...(azure != null ? { azure } : {}) }
}
