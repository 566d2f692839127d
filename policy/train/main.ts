/**
 * Trains the learned placement scorer and writes the ONNX model plus its
 * model card:
 *
 *   node policy/train/main.ts --seed 1 --out fixtures/policy/placement.onnx
 *
 * Options: --scenario FILE (default the three-cloud + edge fixture),
 * --episodes N (60), --hours H per episode (24), --lr (0.001),
 * --card FILE (default: the model path with .md).
 * Deterministic for a given seed and options (wall times aside).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { dirname, join, relative } from 'node:path'
import { loadScenario } from '../scenario.ts'
import { exportOnnx } from '../learned/onnx.ts'
import { FEATURE_NAMES } from '../learned/features.ts'
import { loadLearnedPolicyStrict } from '../learned/policy.ts'
import { simulate } from '../simulate.ts'
import { formatResultsTable } from '../sim/table.ts'
import { train, type TrainOptions } from './reinforce.ts'
import { writeModelCard } from './model-card.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const scenariosDir = join(root, 'fixtures', 'policy', 'scenarios')

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: join(root, 'fixtures', 'policy', 'placement.onnx') },
    card: { type: 'string' },
    scenario: { type: 'string', default: join(scenariosDir, 'three-clouds-edge.json') },
    episodes: { type: 'string', default: '60' },
    hours: { type: 'string', default: '24' },
    lr: { type: 'string', default: '0.001' }
  }
})

function int (name: string, v: string | undefined): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name}: must be an integer >= 0, got ${JSON.stringify(v)}`)
    process.exit(2)
  }
  return n
}

const seed = int('seed', values.seed)
const episodes = int('episodes', values.episodes)
const hours = int('hours', values.hours)
const lr = Number(values.lr)
if (!(lr > 0 && lr < 1)) {
  console.error(`--lr: must be a number in (0, 1), got ${JSON.stringify(values.lr)}`)
  process.exit(2)
}
const out = values.out as string
const cardPath = values.card ?? out.replace(/\.onnx$/, '') + '.md'
const scenarioPath = values.scenario as string
const scenario = loadScenario(readFileSync(scenarioPath, 'utf8'))

const options: TrainOptions = {
  scenario,
  seed,
  episodes,
  hours,
  hidden: [16, 16],
  lr,
  warmStartSteps: 400,
  warmStartScale: 20,
  minibatch: 128,
  // Neither a training seed (derived from --seed) nor the scenario's reporting seed.
  validationSeed: scenario.seed + 1000,
  log: line => console.error(line)
}

const started = performance.now()
const result = await train(options)
const trainSeconds = (performance.now() - started) / 1000
const bytes = exportOnnx(result.mlp, FEATURE_NAMES, {
  'hyperion.trainSeed': String(seed),
  'hyperion.trainScenario': scenario.name,
  'hyperion.bestEpisode': String(result.bestEpisode)
})
writeFileSync(out, bytes)
console.error(`wrote ${out} (${bytes.length} bytes) after ${trainSeconds.toFixed(1)} s`)

// Report on every shipped scenario with the exported model, through onnxruntime.
const learned = await loadLearnedPolicyStrict(bytes)
const evaluations = []
for (const file of ['three-clouds-edge.json', 'spot-batch.json', 'small-optimal.json', 'spec-example.json']) {
  const s = loadScenario(readFileSync(join(scenariosDir, file), 'utf8'))
  const report = await simulate(s, { learned })
  evaluations.push({ file, report })
  console.error(`\n${file} (seed ${report.seed})\n${formatResultsTable(report.results)}`)
}
writeModelCard(cardPath, {
  command: `node policy/train/main.ts --seed ${seed} --out ${relative(root, out)}${episodes !== 60 ? ` --episodes ${episodes}` : ''}${hours !== 24 ? ` --hours ${hours}` : ''}${lr !== 0.001 ? ` --lr ${lr}` : ''}`,
  scenarioFile: relative(root, scenarioPath),
  options,
  result,
  trainSeconds,
  evaluations
})
console.error(`wrote ${cardPath}`)
