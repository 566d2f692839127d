import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hyperion, REPO } from '../utils/cli.ts'
import { tempDir } from '../utils/harness.ts'

const SCENARIO = join(REPO, 'fixtures', 'policy', 'scenarios', 'spec-example.json')
const FIELDS = ['costPerHour', 'p50LatencyMs', 'p99LatencyMs', 'sloViolations', 'placed', 'unplaced', 'interruptedReplicaMinutes', 'migrations', 'decisionsPerSecond']

describe('hyperion simulate', function () {
  this.timeout(60_000)

  it('prints the SPEC result fields per policy, the same numbers on every run', async () => {
    const runs = await Promise.all([1, 2].map(async () => {
      const r = await hyperion(['simulate', '--scenario', SCENARIO, '--policy', 'static', '--policy', 'greedy', '--json'], { timeoutMs: 60_000 })
      assert.equal(r.code, 0, r.stderr)
      return JSON.parse(r.stdout) as { results: Array<Record<string, number | string>> }
    }))
    const [a, b] = runs as [typeof runs[0], typeof runs[0]]
    assert.deepEqual(a.results.map(r => r.policy), ['static', 'greedy'])
    for (const r of a.results) for (const f of FIELDS) assert.equal(typeof r[f], 'number', `${String(r.policy)}.${f}`)
    // decisions/s is a timing; everything else is deterministic.
    const strip = (x: typeof a) => x.results.map(r => ({ ...r, decisionsPerSecond: 0 }))
    assert.deepEqual(strip(a), strip(b))
  })

  it('refuses a scenario with an unknown field, naming it (exit 2)', async () => {
    const file = join(tempDir(), 'bad.json')
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(SCENARIO, 'utf8')), colour: 'red' }))
    const r = await hyperion(['simulate', '--scenario', file])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /colour/)
  })
})
