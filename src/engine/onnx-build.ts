/**
 * Minimal ONNX graph writer on top of `onnx-proto`, for the tiny fixture model and the provider probes of
 * `mmduet doctor`. Float weights go to `raw_data` (little-endian), so files stay compact and byte-deterministic.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type Dim = number | string;
export type ElemType = 'float' | 'float16' | 'int64' | 'bool';
export type Attr = { i: number } | { f: number } | { ints: number[] } | { s: string };

const ELEM: Record<ElemType, number> = {
  float: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

function valueInfo(name: string, elem: ElemType, shape: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[elem],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, a: Attr): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in a) return { name, type: T.INT, i: a.i };
  if ('f' in a) return { name, type: T.FLOAT, f: a.f };
  if ('ints' in a) return { name, type: T.INTS, ints: a.ints };
  return { name, type: T.STRING, s: new TextEncoder().encode(a.s) };
}

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, elem: ElemType, shape: Dim[]): string {
    this.inputs.push(valueInfo(name, elem, shape));
    return name;
  }

  /** Declares `value` (a node output) as the graph output `name`. */
  output(value: string, name: string, elem: ElemType, shape: Dim[]): void {
    this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, elem, shape));
  }

  /** A float input of type `elem`, cast to float32 for the rest of the graph. */
  floatInput(name: string, elem: 'float' | 'float16', shape: Dim[]): string {
    this.input(name, elem, shape);
    return elem === 'float' ? name : this.op('Cast', [name], { to: { i: ELEM.float } });
  }

  /** Declares float32 `value` as output `name` of type `elem` (cast when float16). */
  floatOutput(value: string, name: string, elem: 'float' | 'float16', shape: Dim[]): void {
    this.output(elem === 'float' ? value : this.op('Cast', [value], { to: { i: ELEM.float16 } }), name, elem, shape);
  }

  floats(dims: number[], data: ArrayLike<number>, hint = 'w'): string {
    const name = `${hint}_${this.counter++}`;
    const f32 = Float32Array.from(data);
    if (f32.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`initializer ${name}: ${f32.length} values for dims ${dims}`);
    const raw = new Uint8Array(f32.length * 4);
    const view = new DataView(raw.buffer);
    f32.forEach((v, i) => view.setFloat32(i * 4, v, true));
    this.initializers.push({ name, dims, dataType: ELEM.float, rawData: raw });
    return name;
  }

  ints(data: number[], hint = 'c', dims: number[] = [data.length]): string {
    const name = `${hint}_${this.counter++}`;
    this.initializers.push({ name, dims, dataType: ELEM.int64, int64Data: data });
    return name;
  }

  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const output = out ?? `${type.toLowerCase()}_${this.counter++}`;
    this.nodes.push({
      opType: type,
      name: `${type}_${this.counter++}`,
      input: inputs,
      output: [output],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  encode(opset = 17): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'mmduet-eval',
      opsetImport: [{ domain: '', version: opset }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** `y = x + 1` on a float [n] tensor: the smallest graph that exercises a provider. */
export function probeModel(): Uint8Array {
  const g = new GraphBuilder('probe');
  const x = g.input('x', 'float', ['n']);
  g.output(g.op('Add', [x, g.floats([1], [1], 'one')]), 'y', 'float', ['n']);
  return g.encode();
}
