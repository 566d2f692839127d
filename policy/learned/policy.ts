/**
 * The learned placement policy: the ONNX scorer run by onnxruntime-node over
 * all feasible candidates in one batch. Loading never throws to the caller
 * of `loadLearnedPolicy`: a missing, corrupt or mismatched model yields the
 * greedy heuristic, flagged as a fallback so every decision says so.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import * as ort from 'onnxruntime-node'
import { ModelUnavailableError } from '../errors.ts'
import { greedyPolicy } from '../heuristics.ts'
import type { PlacementPolicy } from '../pipeline.ts'
import { FEATURE_COUNT, FEATURE_NAMES, featureMatrix } from './features.ts'
import { INPUT_NAME, OUTPUT_NAME, modelFeatureNames } from './onnx.ts'

export const LEARNED_POLICY_NAME = 'learned'

/**
 * The shipped model. fixtures/ sits two levels above this file in the source
 * tree (policy/learned/) and three in the built package (dist/policy/learned/).
 */
export const DEFAULT_MODEL_URL = ['../../fixtures/policy/placement.onnx', '../../../fixtures/policy/placement.onnx']
  .map(rel => new URL(rel, import.meta.url))
  .find(url => existsSync(url)) ?? new URL('../../fixtures/policy/placement.onnx', import.meta.url)

/** Loads a model or throws ModelUnavailableError saying why. */
export async function loadLearnedPolicyStrict (model: string | URL | Uint8Array): Promise<PlacementPolicy> {
  let bytes: Uint8Array
  if (model instanceof Uint8Array) {
    bytes = model
  } else {
    try {
      bytes = await readFile(model)
    } catch (err) {
      throw new ModelUnavailableError(`model file ${String(model)}: cannot read (${(err as Error).message})`, { cause: err })
    }
  }
  let names: string[]
  let session: ort.InferenceSession
  try {
    names = modelFeatureNames(bytes)
    // One thread: the daemon shares its core with workloads, and batches are small.
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' })
  } catch (err) {
    throw new ModelUnavailableError(`model file ${String(model instanceof Uint8Array ? '<bytes>' : model)}: not a valid ONNX model (${(err as Error).message})`, { cause: err })
  }
  if (names.join(',') !== FEATURE_NAMES.join(',')) {
    throw new ModelUnavailableError(`model features ${JSON.stringify(names.join(','))} differ from this build's ${JSON.stringify(FEATURE_NAMES.join(','))}`)
  }
  if (!session.inputNames.includes(INPUT_NAME) || !session.outputNames.includes(OUTPUT_NAME)) {
    throw new ModelUnavailableError(`model has inputs ${session.inputNames.join(',')} and outputs ${session.outputNames.join(',')}, expected ${INPUT_NAME} → ${OUTPUT_NAME}`)
  }
  return {
    name: LEARNED_POLICY_NAME,
    async rank (req, candidates) {
      const x = featureMatrix(req, candidates)
      const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', x, [candidates.length, FEATURE_COUNT]) })
      const data = out[OUTPUT_NAME]?.data as Float32Array
      return Float64Array.from(data)
    }
  }
}

export interface LoadedPolicy {
  policy: PlacementPolicy
  /** Present when the model could not be used and the heuristic stands in. */
  warning?: string
}

/** Loads the learned policy, falling back to greedy (and saying why) when the model is unusable. */
export async function loadLearnedPolicy (model: string | URL | Uint8Array = DEFAULT_MODEL_URL): Promise<LoadedPolicy> {
  try {
    return { policy: await loadLearnedPolicyStrict(model) }
  } catch (err) {
    if (!(err instanceof ModelUnavailableError)) throw err
    const reason = err.message
    const policy: PlacementPolicy = {
      name: greedyPolicy.name,
      fallback: { from: LEARNED_POLICY_NAME, to: greedyPolicy.name, reason },
      rank: greedyPolicy.rank
    }
    return { policy, warning: `learned policy unavailable, using ${greedyPolicy.name}: ${reason}` }
  }
}
