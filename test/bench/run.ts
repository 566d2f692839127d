/**
 * Runs the benchmarks: every `test/bench/*.bench.ts`, or those whose name
 * contains one of the arguments (`npm run bench -- join`). Each bench is its
 * own process (so one's memory cannot skew another's) that prints a table,
 * or one JSON document with `--json`.
 */
import { readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const json = args.includes('--json')
const filters = args.filter(a => !a.startsWith('--'))
const benches = readdirSync(here)
  .filter(f => f.endsWith('.bench.ts'))
  .filter(f => filters.length === 0 || filters.some(x => f.includes(x)))
  .sort()

if (benches.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}`)
  process.exit(2)
}

const results: Record<string, unknown> = {}
let failed = false
for (const file of benches) {
  const name = file.replace(/\.bench\.ts$/, '')
  if (!json) console.log(`\n## ${name}\n`)
  const out = spawnSync(process.execPath, [join(here, file), ...(json ? ['--json'] : [])], {
    stdio: json ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8'
  })
  if (out.status !== 0) {
    failed = true
    console.error(`bench ${name} failed with exit code ${out.status}`)
    continue
  }
  if (json) results[name] = JSON.parse(out.stdout)
}
if (json) console.log(JSON.stringify(results, null, 2))
process.exit(failed ? 1 : 0)
