import { readFileSync } from 'node:fs'
import { InvalidInputError } from '../../../protocol/errors.ts'
import { formatResultsTable, loadScenario, POLICY_NAMES, simulate as runSimulation } from '../../../policy/index.ts'
import { parseFlags, print, type Io } from '../context.ts'

/**
 * `hyperion simulate --scenario FILE [--policy NAME]… [--seed N]`: "what
 * would Hyperion do on my fabric?", computed here without a daemon.
 */
export async function simulate (args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('simulate', args, { scenario: { type: 'string' }, policy: { type: 'string', multiple: true }, seed: { type: 'string' } })
  if (values.scenario == null) throw new InvalidInputError(`hyperion simulate: --scenario FILE is required; policies: ${POLICY_NAMES.join(', ')}`, 'USAGE')
  let text: string
  try {
    text = readFileSync(values.scenario, 'utf8')
  } catch (err) {
    throw new InvalidInputError(`--scenario: cannot read ${values.scenario}: ${(err as Error).message}`, 'USAGE')
  }
  const seed = values.seed == null ? undefined : Number(values.seed)
  if (seed != null && (!Number.isSafeInteger(seed) || seed < 0)) throw new InvalidInputError(`--seed: must be a whole number >= 0 (got '${values.seed}')`, 'USAGE')
  const scenario = loadScenario(text)
  const report = await runSimulation(scenario, { ...(values.policy != null ? { policies: values.policy } : {}), ...(seed != null ? { seed } : {}) })
  for (const w of report.warnings) io.err(`warning: ${w}`)
  print(io, values.json, report, () => `scenario ${report.scenario}, seed ${report.seed}\n${formatResultsTable(report.results)}`)
  return 0
}
