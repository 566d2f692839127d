import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { stringify as toYaml } from 'yaml'
import fc from 'fast-check'
import { parseManifest, validateManifest, ManifestError, MAX_MANIFEST_BYTES, canonicalJson } from '../../protocol/manifest/index.ts'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/manifests/${name}`, import.meta.url), 'utf8')

/** A minimal valid manifest as data, to break one field at a time. */
function base (): any {
  return {
    apiVersion: 'hyperion.io/v1alpha1',
    kind: 'HyperionWorkload',
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ name: 'app', command: ['/bin/true'] }] } } }
  }
}

function issuesOf (fn: () => unknown): Array<[string, string]> {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ManifestError, `expected a ManifestError, got ${String(err)}`)
    return err.issues.map(i => [i.path, i.problem])
  }
  assert.fail('expected the manifest to be refused')
}

function refusedWith (data: unknown): ManifestError {
  try {
    validateManifest(data)
  } catch (err) {
    if (err instanceof ManifestError) return err
    throw err
  }
  assert.fail('expected the manifest to be refused')
}

describe('protocol/manifest', () => {
  describe('valid manifests', () => {
    it('parses the SPEC example with its quantities', () => {
      const w = parseManifest(fixture('resnet50-inference.yaml'), 'application/yaml')
      assert.equal(w.name, 'resnet50-inference')
      assert.equal(w.manifest.spec.replicas, 2)
      assert.deepEqual(w.manifest.spec.template.spec.containers[0]?.resources.limits, { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' })
      assert.deepEqual(w.resources.perReplica, { cpuMillis: 2000, memoryBytes: 4 * 2 ** 30, gpus: 1 })
      assert.deepEqual(w.manifest.spec.policy.constraints.geographies, ['US', 'EU'])
      assert.equal(w.manifest.spec.policy.data?.locality, 'aws:us-east-1')
      assert.match(w.specHash, /^[0-9a-f]{64}$/)
    })

    it('fills in the defaults of SPEC', () => {
      const w = parseManifest(fixture('http-echo-process.yaml'))
      assert.equal(w.manifest.spec.replicas, 1)
      assert.equal(w.manifest.spec.restartPolicy, 'Always')
      assert.equal(w.manifest.spec.policy.goal, 'default')
      assert.equal(w.manifest.spec.policy.constraints.preferSpot, false)
      assert.deepEqual(w.resources.perReplica, { cpuMillis: 250, memoryBytes: 64 * 2 ** 20, gpus: 0 })
    })

    it('sums containers and keeps numeric quantities as text', () => {
      const w = parseManifest(fixture('batch-training.json'), 'application/json; charset=utf-8')
      assert.equal(w.manifest.spec.template.spec.containers[0]?.resources.limits.cpu, '8')
      assert.deepEqual(w.resources.perReplica, { cpuMillis: 8100, memoryBytes: 32 * 2 ** 30 + 50_000_000, gpus: 1 })
      assert.equal(w.manifest.metadata.labels['hyperion.io/tier'], 'batch')
    })

    it('accepts bytes as well as text', () => {
      const text = fixture('http-echo-process.yaml')
      assert.deepEqual(parseManifest(new TextEncoder().encode(text)), parseManifest(text))
    })

    it('replicas: 0 is allowed (a stopped workload)', () => {
      const m = base()
      m.spec.replicas = 0
      assert.equal(validateManifest(m).manifest.spec.replicas, 0)
    })
  })

  describe('hashes for idempotent apply', () => {
    it('the same workload in YAML, in JSON, reordered or with defaults spelled out hashes the same', () => {
      const plain = validateManifest(base())
      const explicit = base()
      explicit.spec = { policy: { goal: 'default', users: [] }, restartPolicy: 'Always', replicas: 1, ...explicit.spec }
      explicit.metadata.labels = {}
      const fromYaml = parseManifest(toYaml(explicit))
      const fromJson = parseManifest(JSON.stringify(explicit), 'application/json')
      assert.equal(fromYaml.specHash, plain.specHash)
      assert.equal(fromYaml.manifestHash, plain.manifestHash)
      assert.equal(fromJson.specHash, plain.specHash)
    })

    it('a changed spec changes specHash; a label change only manifestHash', () => {
      const w = validateManifest(base())
      const more = base()
      more.spec.replicas = 3
      assert.notEqual(validateManifest(more).specHash, w.specHash)
      const labelled = base()
      labelled.metadata.labels = { team: 'a' }
      assert.equal(validateManifest(labelled).specHash, w.specHash)
      assert.notEqual(validateManifest(labelled).manifestHash, w.manifestHash)
    })

    it('validating a normalised manifest again changes nothing', () => {
      for (const name of ['resnet50-inference.yaml', 'http-echo-process.yaml', 'batch-training.json']) {
        const w = parseManifest(fixture(name))
        assert.deepEqual(validateManifest(JSON.parse(JSON.stringify(w.manifest))), w)
      }
    })

    it('canonical JSON sorts keys and refuses what JSON cannot hold', () => {
      assert.equal(canonicalJson({ b: [1, { d: 1, c: 'x' }], a: null, u: undefined }), '{"a":null,"b":[1,{"c":"x","d":1}]}')
      assert.throws(() => canonicalJson({ x: Number.NaN }), /NaN/)
      assert.throws(() => canonicalJson(new Map()), /cannot hold/)
    })
  })

  describe('invalid manifests', () => {
    it('reports every problem of a manifest at once, each with its path and the value given', () => {
      const err = (() => { try { parseManifest(fixture('invalid-many-problems.yaml')) } catch (e) { return e as ManifestError } })()
      assert.ok(err instanceof ManifestError)
      assert.equal(err.code, 'INVALID_MANIFEST')
      assert.equal(err.status, 400)
      assert.deepEqual(err.issues.map(i => i.path), [
        'apiVersion',
        'metadata.name',
        'spec.replicas',
        'spec.restartPolicy',
        'spec.template.spec.containers[0].resources.limits.cpu',
        'spec.template.spec.containers[0].resources.limits.memory',
        'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]',
        'spec.policy.goal',
        'spec.policy.constraints.clouds[1]',
        'spec.policy.colour'
      ])
      assert.match(err.message, /spec\.replicas: must be an integer >= 0 \(got -1\)/)
      assert.match(err.message, /limits\["nvidia.com\/gpu"\]: must be a whole number of GPUs \(got "0.5"\)/)
      assert.match(err.message, /spec\.policy\.colour: unknown field \(got "blue"\)/)
    })

    it('refuses a Kubernetes Deployment', () => {
      assert.deepEqual(issuesOf(() => parseManifest(fixture('invalid-kubernetes-deployment.yaml'))), [
        ['apiVersion', 'must be hyperion.io/v1alpha1'],
        ['kind', 'must be HyperionWorkload']
      ])
    })

    // [what, how to break the base manifest, expected path, expected problem (regexp)]
    const table: Array<[string, (m: any) => void, string, RegExp]> = [
      ['negative replicas', m => { m.spec.replicas = -1 }, 'spec.replicas', /^must be an integer >= 0$/],
      ['fractional replicas', m => { m.spec.replicas = 1.5 }, 'spec.replicas', /^must be an integer >= 0$/],
      ['replicas as a word', m => { m.spec.replicas = 'two' }, 'spec.replicas', /^must be an integer >= 0$/],
      ['too many replicas', m => { m.spec.replicas = 1001 }, 'spec.replicas', /at most 1000/],
      ['an upper-case name', m => { m.metadata.name = 'Web' }, 'metadata.name', /DNS-1123 label/],
      ['a name with a dot', m => { m.metadata.name = 'web.app' }, 'metadata.name', /DNS-1123 label/],
      ['a name ending in -', m => { m.metadata.name = 'web-' }, 'metadata.name', /DNS-1123 label/],
      ['a 64-character name', m => { m.metadata.name = 'a'.repeat(64) }, 'metadata.name', /at most 63/],
      ['a missing name', m => { delete m.metadata.name }, 'metadata.name', /must be a string/],
      ['an unknown top-level field', m => { m.status = {} }, 'status', /unknown field/],
      ['an unknown container field', m => { m.spec.template.spec.containers[0].ports = [80] }, 'spec.template.spec.containers[0].ports', /unknown field/],
      ['resource requests (only limits exist)', m => { m.spec.template.spec.containers[0].resources = { requests: { cpu: '1' } } }, 'spec.template.spec.containers[0].resources.requests', /unknown field/],
      ['an unknown resource', m => { m.spec.template.spec.containers[0].resources = { limits: { 'amd.com/gpu': 1 } } }, 'spec.template.spec.containers[0].resources.limits["amd.com/gpu"]', /unknown field/],
      ['no containers', m => { m.spec.template.spec.containers = [] }, 'spec.template.spec.containers', /at least one container/],
      ['a container with neither image nor command', m => { m.spec.template.spec.containers[0] = { name: 'x' } }, 'spec.template.spec.containers[0]', /image .* or command/],
      ['duplicate container names', m => { m.spec.template.spec.containers.push({ name: 'app', image: 'nginx' }) }, 'spec.template.spec.containers[1].name', /unique/],
      ['negative cpu', m => { m.spec.template.spec.containers[0].resources = { limits: { cpu: '-1' } } }, 'spec.template.spec.containers[0].resources.limits.cpu', />= 0/],
      ['memory in GiB', m => { m.spec.template.spec.containers[0].resources = { limits: { memory: '1GiB' } } }, 'spec.template.spec.containers[0].resources.limits.memory', /must be a quantity/],
      ['a boolean quantity', m => { m.spec.template.spec.containers[0].resources = { limits: { cpu: true } } }, 'spec.template.spec.containers[0].resources.limits.cpu', /must be a quantity/],
      ['a relative workingDir', m => { m.spec.template.spec.containers[0].workingDir = 'tmp' }, 'spec.template.spec.containers[0].workingDir', /absolute path/],
      ['a bad env name', m => { m.spec.template.spec.containers[0].env = [{ name: '1X', value: 'v' }] }, 'spec.template.spec.containers[0].env[0].name', /environment variable name/],
      ['an image with blanks', m => { m.spec.template.spec.containers[0].image = 'nginx latest' }, 'spec.template.spec.containers[0].image', /without blanks/],
      ['a bad label key', m => { m.metadata.labels = { 'bad key': 'v' } }, 'metadata.labels["bad key"]', /label key/],
      ['a bad label value', m => { m.metadata.labels = { team: 'a b' } }, 'metadata.labels.team', /label value/],
      ['a lower-case geography', m => { m.spec.policy = { constraints: { geographies: ['us'] } } }, 'spec.policy.constraints.geographies[0]', /capitals/],
      ['an unknown cloud', m => { m.spec.policy = { constraints: { clouds: ['oracle'] } } }, 'spec.policy.constraints.clouds[0]', /one of aws, gcp/],
      ['preferSpot: "yes"', m => { m.spec.policy = { constraints: { preferSpot: 'yes' } } }, 'spec.policy.constraints.preferSpot', /true or false/],
      ['a zero user weight', m => { m.spec.policy = { users: [{ region: 'eu-west-1', weight: 0 }] } }, 'spec.policy.users[0].weight', /> 0/],
      ['a bad locality', m => { m.spec.policy = { data: { locality: 'oracle:x' } } }, 'spec.policy.data.locality', /provider/],
      ['a negative SLO', m => { m.spec.policy = { sloLatencyMs: -5 } }, 'spec.policy.sloLatencyMs', /> 0/],
      ['a manifest that is a list', m => { m.length = 0; return [] }, '(manifest)', /must be an object/]
    ]
    for (const [what, breakIt, path, problem] of table) {
      it(`refuses ${what}`, () => {
        const m = base()
        const replaced = breakIt(m) as unknown
        const err = refusedWith(replaced ?? m)
        const issue = err.issues.find(i => i.path === path)
        assert.ok(issue, `no issue at ${path}: ${err.message}`)
        assert.match(issue.problem, problem)
        assert.ok(err.message.includes(`${path}: ${issue.problem} (`), err.message)
      })
    }

    it('names the value given, or says it is missing', () => {
      const m = base()
      m.spec.replicas = -1
      delete m.kind
      const err = refusedWith(m)
      assert.match(err.message, /kind: must be HyperionWorkload \(missing\)/)
      assert.match(err.message, /spec\.replicas: must be an integer >= 0 \(got -1\)/)
    })

    it('refuses __proto__ as an unknown field without polluting anything', () => {
      const err = (() => { try { parseManifest('{"__proto__": {"polluted": 1}, "apiVersion": "x"}', 'application/json') } catch (e) { return e as ManifestError } })()
      assert.ok(err instanceof ManifestError)
      assert.ok(err.issues.some(i => i.path === '__proto__' && i.problem === 'unknown field'))
      const fromYaml = (() => { try { parseManifest('__proto__: {polluted: 1}\n') } catch (e) { return e as ManifestError } })()
      assert.ok(fromYaml?.issues.some(i => i.path === '__proto__' && i.problem === 'unknown field'))
      assert.equal(({} as any).polluted, undefined)
    })

    it('accepts replicas exactly when they are integers in [0, 1000] (property)', () => {
      fc.assert(fc.property(fc.oneof(fc.integer({ min: -5, max: 1005 }), fc.double({ noNaN: true }), fc.string()), (replicas) => {
        const m = base()
        m.spec.replicas = replicas
        const ok = typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0 && replicas <= 1000
        if (ok) assert.equal(validateManifest(m).manifest.spec.replicas, replicas)
        else assert.equal(refusedWith(m).issues[0]?.path, 'spec.replicas')
      }), { numRuns: 200 })
    })
  })

  describe('text, size and syntax', () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try { fn() } catch (err) { return (err as ManifestError).code }
      return undefined
    }

    it('refuses a 10 MB manifest before parsing it, with 413', () => {
      const huge = `apiVersion: hyperion.io/v1alpha1\n# ${'x'.repeat(10 * 1024 * 1024)}\n`
      assert.throws(() => parseManifest(huge), (err: unknown) =>
        err instanceof ManifestError && err.code === 'MANIFEST_TOO_LARGE' && err.status === 413 && /at most 262144 bytes/.test(err.message))
      assert.equal(codeOf(() => parseManifest(new Uint8Array(MAX_MANIFEST_BYTES + 1))), 'MANIFEST_TOO_LARGE')
      assert.equal(codeOf(() => parseManifest('é'.repeat(MAX_MANIFEST_BYTES / 2 + 1))), 'MANIFEST_TOO_LARGE')
      assert.equal(codeOf(() => parseManifest(fixture('http-echo-process.yaml'), undefined, { maxBytes: 100 })), 'MANIFEST_TOO_LARGE')
    })

    it('refuses broken YAML, naming the line', () => {
      assert.throws(() => parseManifest(fixture('invalid-broken.yaml')), (err: unknown) =>
        err instanceof ManifestError && err.code === 'MANIFEST_SYNTAX' && /not valid YAML: .*line 6/.test(err.message))
    })

    it('refuses broken JSON', () => {
      assert.equal(codeOf(() => parseManifest('{"apiVersion": ', 'application/json')), 'MANIFEST_SYNTAX')
      assert.equal(codeOf(() => parseManifest('{"apiVersion": ')), 'MANIFEST_SYNTAX')
      // Without a Content-Type, a JSON file and a YAML flow mapping both read.
      assert.equal(parseManifest(fixture('batch-training.json')).name, 'batch-training')
      assert.equal(codeOf(() => parseManifest('{apiVersion: hyperion.io/v1alpha1}')), 'INVALID_MANIFEST')
    })

    it('refuses several YAML documents, duplicate keys, alias bombs and bad UTF-8', () => {
      assert.equal(codeOf(() => parseManifest(`${fixture('http-echo-process.yaml')}---\n${fixture('http-echo-process.yaml')}`)), 'MANIFEST_SYNTAX')
      assert.equal(codeOf(() => parseManifest('kind: a\nkind: b\n')), 'MANIFEST_SYNTAX')
      const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
      for (let i = 1; i < 12; i++) bomb.push(`${'b'.repeat(i)}: &b${i} [${Array(9).fill(i === 1 ? '*a' : `*b${i - 1}`).join(',')}]`)
      assert.equal(codeOf(() => parseManifest(bomb.join('\n'))), 'MANIFEST_SYNTAX')
      assert.equal(codeOf(() => parseManifest(new Uint8Array([0x6b, 0x3a, 0x20, 0xff]))), 'MANIFEST_SYNTAX')
    })

    it('refuses a Content-Type that is neither JSON nor YAML with 415', () => {
      assert.throws(() => parseManifest('{}', 'text/plain'), (err: unknown) =>
        err instanceof ManifestError && err.code === 'UNSUPPORTED_CONTENT_TYPE' && err.status === 415)
    })

    it('an empty body is refused by the schema, naming what is missing', () => {
      assert.equal(codeOf(() => parseManifest('')), 'INVALID_MANIFEST')
    })

    it('reads YAML 1.2: yes/on are strings, so preferSpot: yes is an error and not a silent true', () => {
      const text = fixture('http-echo-process.yaml') + '  policy:\n    constraints:\n      preferSpot: yes\n'
      assert.deepEqual(issuesOf(() => parseManifest(text)), [['spec.policy.constraints.preferSpot', 'must be true or false']])
    })
  })
})
