/**
 * MLP ⇄ ONNX: writes the scorer as Gemm/Relu nodes with float initializers
 * (opset 13, IR 8) via onnx-proto, and reads the weights back for the
 * trainer. The feature names travel in the model's metadata so a model built
 * for other features is refused rather than silently misread.
 */
import onnxProto from 'onnx-proto'
import type { Mlp } from './mlp.ts'

const { onnx } = onnxProto

export const INPUT_NAME = 'features'
export const OUTPUT_NAME = 'score'
export const FEATURES_KEY = 'hyperion.features'

function tensor (name: string, dims: number[], values: Float64Array): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) }
}

function valueInfo (name: string, width: number): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } }
  }
}

export function exportOnnx (mlp: Mlp, featureNames: readonly string[], metadata: Record<string, string> = {}): Uint8Array {
  const nodes: onnxProto.onnx.INodeProto[] = []
  const initializer: onnxProto.onnx.ITensorProto[] = []
  let current = INPUT_NAME
  const layers = mlp.weights.length
  for (let l = 0; l < layers; l++) {
    const nIn = mlp.sizes[l] as number
    const nOut = mlp.sizes[l + 1] as number
    initializer.push(tensor(`W${l}`, [nOut, nIn], mlp.weights[l] as Float64Array))
    initializer.push(tensor(`B${l}`, [nOut], mlp.biases[l] as Float64Array))
    const gemmOut = l + 1 === layers ? OUTPUT_NAME : `gemm${l}`
    nodes.push({
      name: `gemm${l}`,
      opType: 'Gemm',
      input: [current, `W${l}`, `B${l}`],
      output: [gemmOut],
      attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]
    })
    current = gemmOut
    if (l + 1 < layers) {
      nodes.push({ name: `relu${l}`, opType: 'Relu', input: [current], output: [`relu${l}`] })
      current = `relu${l}`
    }
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'hyperion-policy',
    producerVersion: '1',
    metadataProps: [{ key: FEATURES_KEY, value: featureNames.join(',') }, ...Object.entries(metadata).map(([key, value]) => ({ key, value }))],
    graph: {
      name: 'placement-scorer',
      node: nodes,
      initializer,
      input: [valueInfo(INPUT_NAME, mlp.sizes[0] as number)],
      output: [valueInfo(OUTPUT_NAME, 1)]
    }
  })
  return onnx.ModelProto.encode(model).finish()
}

/** The feature names a model file was trained on, from its metadata. */
export function modelFeatureNames (bytes: Uint8Array): string[] {
  const model = onnx.ModelProto.decode(bytes)
  const entry = model.metadataProps.find(p => p.key === FEATURES_KEY)
  return entry?.value === undefined || entry.value === null || entry.value === '' ? [] : entry.value.split(',')
}
