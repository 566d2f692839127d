/**
 * Which cloud, if any, this instance runs in: every provider's metadata service
 * is asked at once under one short deadline, so a machine outside any cloud
 * learns that in one timeout (300 ms by default) rather than three.
 */
import type { Clock } from '../../protocol/clock.ts'
import { withDeadline } from '../deadline.ts'
import { AwsMetadata } from './aws.ts'
import { AzureMetadata } from './azure.ts'
import { GcpMetadata } from './gcp.ts'
import type { CloudIdentity, CloudMetadataSource } from './types.ts'

export interface CloudDetectInit {
  /**
   * Deadline for each provider's answer at detection.
   * @default 300
   */
  timeoutMs?: number
  /** Base URLs of the metadata services, for tests and proxies. Defaults are the providers' own. */
  aws?: { baseUrl?: string }
  gcp?: { baseUrl?: string }
  azure?: { baseUrl?: string }
  /** Told why a provider was ruled out when it was not a plain "nothing there". */
  onError?: (provider: string, err: unknown) => void
}

export interface DetectedCloud {
  identity: CloudIdentity
  /** The source to poll for interruption notices. */
  source: CloudMetadataSource
}

export const cloudDetectDefaults = {
  timeoutMs: 300 // link-local metadata answers in < 10 ms; a machine outside a cloud pays this once at start
} as const

export function cloudSources (clock: Clock, init: CloudDetectInit): CloudMetadataSource[] {
  return [
    new AwsMetadata({ clock }, init.aws),
    new GcpMetadata(init.gcp),
    new AzureMetadata(init.azure)
  ]
}

export async function detectCloud (components: { clock: Clock }, init: CloudDetectInit = {}): Promise<DetectedCloud | null> {
  const timeoutMs = init.timeoutMs ?? cloudDetectDefaults.timeoutMs
  const sources = cloudSources(components.clock, init)
  const found = await Promise.all(sources.map(async source => {
    try {
      return await withDeadline(components.clock, `cloud:${source.provider}`, timeoutMs, s => source.identify(s))
    } catch (err) {
      init.onError?.(source.provider, err)
      return null
    }
  }))
  for (let i = 0; i < sources.length; i++) {
    const identity = found[i]
    if (identity !== null && identity !== undefined) return { identity, source: sources[i]! }
  }
  return null
}
