/** What a cloud's metadata service says about the instance this process runs on. */

export type CloudProvider = 'aws' | 'gcp' | 'azure'

export interface CloudIdentity {
  provider: CloudProvider
  /** e.g. `us-east-1`, `us-central1`, `eastus`. */
  region: string | null
  /** e.g. `us-east-1a`, `us-central1-a`, Azure's zone number `1` (null outside zonal deployments). */
  zone: string | null
  /** e.g. `g5.xlarge`, `n1-standard-4`, `Standard_D2s_v3`. */
  instanceType: string | null
  instanceId: string | null
  /** Spot/preemptible capacity can be reclaimed with a short notice. Null when the service does not say. */
  lifecycle: 'spot' | 'on-demand' | null
}

/** A notice that the provider will reclaim this instance. */
export interface InterruptionNotice {
  provider: CloudProvider
  /** The provider's word: AWS `terminate`/`stop`/`hibernate`, GCP `preempted`, Azure `Preempt`. */
  action: string
  /**
   * When the instance goes, ISO 8601, as the provider states it. Null where the
   * provider gives no time (GCP: the documented notice is 30 s from the flag).
   */
  deadline: string | null
}

/** One provider's metadata service. */
export interface CloudMetadataSource {
  readonly provider: CloudProvider
  /** The instance's identity, or null when this is not that provider's instance. */
  identify(signal: AbortSignal): Promise<CloudIdentity | null>
  /** A pending interruption, or null when none is scheduled. */
  interruption(signal: AbortSignal): Promise<InterruptionNotice | null>
}
