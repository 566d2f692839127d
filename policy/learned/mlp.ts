/**
 * A small fully connected network (ReLU hidden layers, one linear output)
 * with hand-written backprop and Adam: the scorer is tiny, so a framework
 * would cost more to install than the math costs to write.
 */
import { gaussian, type Rng } from '../rng.ts'

export interface Mlp {
  /** Layer widths, input first, 1 last. */
  sizes: number[]
  /** Per layer, row-major [out × in] (ONNX Gemm with transB=1). */
  weights: Float64Array[]
  biases: Float64Array[]
}

/** He initialisation, suited to ReLU. */
export function createMlp (sizes: number[], rng: Rng): Mlp {
  const weights: Float64Array[] = []
  const biases: Float64Array[] = []
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l] as number
    const nOut = sizes[l + 1] as number
    const w = new Float64Array(nIn * nOut)
    const std = Math.sqrt(2 / nIn)
    for (let i = 0; i < w.length; i++) w[i] = gaussian(rng) * std
    weights.push(w)
    biases.push(new Float64Array(nOut))
  }
  return { sizes: [...sizes], weights, biases }
}

/** Activations of every layer, kept for backprop: acts[0] is the input. */
export interface ForwardCache {
  n: number
  acts: Float64Array[]
}

export function forward (mlp: Mlp, x: ArrayLike<number>, n: number): ForwardCache {
  const acts: Float64Array[] = [Float64Array.from(x)]
  const layers = mlp.weights.length
  for (let l = 0; l < layers; l++) {
    const nIn = mlp.sizes[l] as number
    const nOut = mlp.sizes[l + 1] as number
    const w = mlp.weights[l] as Float64Array
    const b = mlp.biases[l] as Float64Array
    const input = acts[l] as Float64Array
    const out = new Float64Array(n * nOut)
    const relu = l + 1 < layers
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < nOut; o++) {
        let s = b[o] as number
        const wo = o * nIn
        const xi = r * nIn
        for (let i = 0; i < nIn; i++) s += (w[wo + i] as number) * (input[xi + i] as number)
        out[r * nOut + o] = relu && s < 0 ? 0 : s
      }
    }
    acts.push(out)
  }
  return { n, acts }
}

/** Scores (the last layer's single output) for `n` rows. */
export function predict (mlp: Mlp, x: ArrayLike<number>, n: number): Float64Array {
  return forward(mlp, x, n).acts[mlp.weights.length] as Float64Array
}

export interface Gradients {
  weights: Float64Array[]
  biases: Float64Array[]
}

export function zeroGradients (mlp: Mlp): Gradients {
  return {
    weights: mlp.weights.map(w => new Float64Array(w.length)),
    biases: mlp.biases.map(b => new Float64Array(b.length))
  }
}

/** Adds d(sum_r dOut[r]·score[r])/dθ to `grads`. */
export function backward (mlp: Mlp, cache: ForwardCache, dOut: Float64Array, grads: Gradients): void {
  const n = cache.n
  let delta = dOut
  for (let l = mlp.weights.length - 1; l >= 0; l--) {
    const nIn = mlp.sizes[l] as number
    const nOut = mlp.sizes[l + 1] as number
    const w = mlp.weights[l] as Float64Array
    const gw = grads.weights[l] as Float64Array
    const gb = grads.biases[l] as Float64Array
    const input = cache.acts[l] as Float64Array
    const dIn = new Float64Array(n * nIn)
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < nOut; o++) {
        const d = delta[r * nOut + o] as number
        if (d === 0) continue
        gb[o] = (gb[o] as number) + d
        const wo = o * nIn
        const xi = r * nIn
        for (let i = 0; i < nIn; i++) {
          gw[wo + i] = (gw[wo + i] as number) + d * (input[xi + i] as number)
          dIn[xi + i] = (dIn[xi + i] as number) + d * (w[wo + i] as number)
        }
      }
    }
    if (l > 0) {
      // ReLU passes gradient only where the activation was positive.
      for (let k = 0; k < dIn.length; k++) if ((input[k] as number) <= 0) dIn[k] = 0
    }
    delta = dIn
  }
}

export interface Adam {
  lr: number
  t: number
  m: Gradients
  v: Gradients
}

export function createAdam (mlp: Mlp, lr: number): Adam {
  return { lr, t: 0, m: zeroGradients(mlp), v: zeroGradients(mlp) }
}

/** One Adam step that descends `grads` (pass a negated gradient to ascend). */
export function adamStep (mlp: Mlp, opt: Adam, grads: Gradients, clip = 1): void {
  const b1 = 0.9
  const b2 = 0.999
  opt.t++
  let norm = 0
  for (const g of [...grads.weights, ...grads.biases]) for (const x of g) norm += x * x
  norm = Math.sqrt(norm)
  const scale = norm > clip ? clip / norm : 1
  const update = (p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array): void => {
    for (let i = 0; i < p.length; i++) {
      const gi = (g[i] as number) * scale
      m[i] = b1 * (m[i] as number) + (1 - b1) * gi
      v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi
      const mh = (m[i] as number) / (1 - b1 ** opt.t)
      const vh = (v[i] as number) / (1 - b2 ** opt.t)
      p[i] = (p[i] as number) - opt.lr * mh / (Math.sqrt(vh) + 1e-8)
    }
  }
  mlp.weights.forEach((w, l) => update(w, grads.weights[l] as Float64Array, opt.m.weights[l] as Float64Array, opt.v.weights[l] as Float64Array))
  mlp.biases.forEach((b, l) => update(b, grads.biases[l] as Float64Array, opt.m.biases[l] as Float64Array, opt.v.biases[l] as Float64Array))
}
