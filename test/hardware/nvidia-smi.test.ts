import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NVIDIA_SMI_ARGS, nvidiaSmiProbe, parseNvidiaSmiCsv, queryNvidiaSmi } from '../../hardware/nvidia/nvidia-smi.ts'
import { fixture, fixturePath } from '../utils/metadata-server.ts'

describe('hardware/nvidia-smi parser', () => {
  it('reads one GPU per line, in order, with units stripped', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi', 'a10g-x4.csv'))
    assert.equal(gpus.length, 4)
    assert.deepEqual(gpus[0], {
      uuid: 'GPU-5b3f2e9e-1c4d-4a1a-9c1e-6f2b8d7a3c10',
      model: 'NVIDIA A10G',
      utilizationPercent: 37,
      memoryUsedMiB: 1024,
      memoryTotalMiB: 23028,
      temperatureC: 41,
      powerW: 61.25
    })
    assert.equal(gpus[2]!.utilizationPercent, 100)
    assert.equal(gpus[2]!.powerW, 298.4)
    assert.equal(new Set(gpus.map(g => g.uuid)).size, 4)
  })

  it('turns [N/A] and [Not Supported] into null, keeping the other fields', () => {
    const [k80, gtx] = parseNvidiaSmiCsv(fixture('nvidia-smi', 'na-fields.csv'))
    assert.equal(k80!.powerW, null)
    assert.equal(k80!.temperatureC, 34)
    assert.equal(gtx!.model, 'NVIDIA GeForce GTX 1050 Ti')
    assert.equal(gtx!.utilizationPercent, null)
    assert.equal(gtx!.powerW, null)
    assert.equal(gtx!.memoryUsedMiB, 512)
  })

  it('accepts CRLF line ends and an empty output (no GPU)', () => {
    const [h100] = parseNvidiaSmiCsv(fixture('nvidia-smi', 'h100-crlf.csv'))
    assert.equal(h100!.powerW, 71.83)
    assert.deepEqual(parseNvidiaSmiCsv(''), [])
    assert.deepEqual(parseNvidiaSmiCsv('\n\n'), [])
  })

  it('rejects output that is not the queried CSV, naming the line and the problem', () => {
    assert.throws(() => parseNvidiaSmiCsv(fixture('nvidia-smi', 'malformed.csv')),
      { code: 'NVIDIA_SMI_PARSE', message: /line 1: must have 7 columns/ })
    assert.throws(() => parseNvidiaSmiCsv('GPU-1234abcd, A100, 101, 0, 1, 30, 50'),
      { code: 'NVIDIA_SMI_PARSE', message: /utilization.gpu must be a number in \[0, 100\] or \[N\/A\]: current value is "101"/ })
    assert.throws(() => parseNvidiaSmiCsv('0, A100, 1, 0, 1, 30, 50'),
      { code: 'NVIDIA_SMI_PARSE', message: /uuid must look like GPU-/ })
    assert.throws(() => parseNvidiaSmiCsv('GPU-1234abcd, A100, , 0, 1, 30, 50'),
      { code: 'NVIDIA_SMI_PARSE', message: /current value is ""/ })
  })
})

describe('hardware/nvidia-smi runner', function () {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'hyperion-nvsmi-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  /** A stand-in for the binary: checks it got the query, then prints a recorded answer. */
  async function fakeBinary (name: string, body: string): Promise<string> {
    const path = join(dir, name)
    await writeFile(path, `#!/bin/sh\n${body}\n`)
    await chmod(path, 0o755)
    return path
  }

  it('runs the query and parses its output', async () => {
    const binary = await fakeBinary('nvidia-smi-ok', [
      `[ "$1" = "${NVIDIA_SMI_ARGS[0]}" ] && [ "$2" = "${NVIDIA_SMI_ARGS[1]}" ] || { echo "bad args: $*" >&2; exit 2; }`,
      `cat '${fixturePath('nvidia-smi', 'a10g-x4.csv')}'`
    ].join('\n'))
    const gpus = await queryNvidiaSmi({ binary }, new AbortController().signal)
    assert.equal(gpus?.length, 4)
    const probe = nvidiaSmiProbe({ binary })
    assert.equal((await probe.sample!(new AbortController().signal)).length, 4)
  })

  it('answers null when the binary is absent', async () => {
    assert.equal(await queryNvidiaSmi({ binary: join(dir, 'no-such-nvidia-smi') }, new AbortController().signal), null)
  })

  it('throws when the binary fails (driver not loaded)', async () => {
    const binary = await fakeBinary('nvidia-smi-nodriver', `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."; exit 9`)
    await assert.rejects(queryNvidiaSmi({ binary }, new AbortController().signal), /Command failed/)
  })

  it('kills a hung binary when the signal fires', async () => {
    const binary = await fakeBinary('nvidia-smi-hung', 'exec sleep 30')
    const controller = new AbortController()
    const started = Date.now()
    const p = queryNvidiaSmi({ binary }, controller.signal)
    setTimeout(() => controller.abort(), 50)
    await assert.rejects(p, { name: 'AbortError' })
    assert.ok(Date.now() - started < 5000)
  })
})
