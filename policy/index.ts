/**
 * Hyperion placement: pure functions of a fabric snapshot.
 *
 * The daemon maps its FabricView and manifests onto `FabricSnapshot` and
 * `PlacementRequest`, validates the snapshot once (`validateSnapshot`), loads
 * a policy once (`loadLearnedPolicy` falls back to greedy and says so), then
 * calls `place()` per replica and `explain()` for `hyperion describe`.
 * `hyperion simulate` is `loadScenario` + `simulate` + `formatResultsTable`.
 */
export type {
  Constraints, Decision, Driver, FabricSnapshot, Filtered, FilterReason, Goal, NodeSnapshot, NodeState,
  PlacementRequest, Resources, ScoredCandidate, UserShare
} from './types.ts'
export { place, feasibleNodes, DEFAULT_MAX_CANDIDATES, type PlacementPolicy, type PlaceOptions } from './pipeline.ts'
export { FILTERS, firstRejection, type Filter } from './filters.ts'
export { SCORE_NAMES, GOAL_WEIGHTS, scoreCandidates, type Candidate, type ScoreName } from './scorers.ts'
export { greedyPolicy, spreadPolicy, binpackPolicy, HEURISTIC_POLICIES } from './heuristics.ts'
export { explain } from './explain.ts'
export { validateSnapshot, validateRequest } from './snapshot.ts'
export { loadLearnedPolicy, loadLearnedPolicyStrict, DEFAULT_MODEL_URL, LEARNED_POLICY_NAME, type LoadedPolicy } from './learned/policy.ts'
export { loadScenario, type Scenario } from './scenario.ts'
export { simulate, POLICY_NAMES, type PolicyName, type SimulateOptions, type SimulateReport } from './simulate.ts'
export { optimalBound } from './optimal.ts'
export { formatResultsTable } from './sim/table.ts'
export type { SimulationResult } from './sim/simulator.ts'
export { POLICY_ERROR_CODES, InvalidScenarioError, InvalidSnapshotError, ModelUnavailableError, ConstraintViolationError } from './errors.ts'
