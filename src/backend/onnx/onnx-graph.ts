import { ProtoWriter } from './protobuf.js';

/**
 * A minimal builder for ONNX models (onnx.proto3, IR version 8): typed graph inputs and outputs, initialisers,
 * and nodes with integer attributes. Field numbers below are those of onnx/onnx.proto.
 */

export type TensorElement = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

/** A dimension: a fixed size, or a symbolic name shared by every tensor with that dimension (e.g. `N`). */
export type Dimension = number | string;

/** Integer attributes only: basin's graphs never need float attributes (they would round float64 values). */
export type Attributes = Readonly<Record<string, number | readonly number[]>>;

/** ONNX TensorProto.DataType codes. */
export const ELEMENT_CODE: { readonly [E in TensorElement]: number } = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;
const IR_VERSION = 8;

interface ValueInfo {
  readonly name: string;
  readonly element: TensorElement;
  readonly dims: readonly Dimension[];
}

interface Initialiser extends ValueInfo {
  readonly bytes: Uint8Array;
}

interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
}

export class OnnxGraph {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initialisers: Initialiser[] = [];
  private readonly nodes: NodeSpec[] = [];
  private readonly scalars = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  input(name: string, element: TensorElement, dims: readonly Dimension[]): string {
    this.inputs.push({ name, element, dims });
    return name;
  }

  output(name: string, element: TensorElement, dims: readonly Dimension[]): string {
    this.outputs.push({ name, element, dims });
    return name;
  }

  /** A constant tensor stored in the model (exact in either float precision, unlike a float attribute). */
  constant(element: TensorElement, dims: readonly number[], values: readonly number[]): string {
    const name = `const_${this.counter++}`;
    this.initialisers.push({ name, element, dims, bytes: elementBytes(element, values) });
    return name;
  }

  /**
   * A scalar constant, created on first use and shared afterwards (ORT warns about, and drops, initialisers that
   * no node reads).
   */
  scalar(element: TensorElement, value: number): string {
    const key = `${element}:${value}`;
    let name = this.scalars.get(key);
    if (name === undefined) this.scalars.set(key, (name = this.constant(element, [], [value])));
    return name;
  }

  /** Adds a node with one output and returns that output's name (`outputName` when given). */
  node(op: string, inputs: readonly string[], attributes: Attributes = {}, outputName?: string): string {
    const output = outputName ?? `${op.toLowerCase()}_${this.counter++}`;
    this.nodes.push({ op, inputs, outputs: [output], attributes });
    return output;
  }

  /** Adds a node with `count` outputs (Split, say) and returns their names. */
  nodeOutputs(op: string, inputs: readonly string[], count: number, attributes: Attributes = {}): string[] {
    const outputs = Array.from({ length: count }, () => `${op.toLowerCase()}_${this.counter++}`);
    this.nodes.push({ op, inputs, outputs, attributes });
    return outputs;
  }

  /** The serialised ModelProto for the default ONNX operator set at version `opset`. */
  encode(opset: number): Uint8Array {
    const model = new ProtoWriter();
    model.int(1, IR_VERSION);
    model.string(2, 'basin');
    model.message(7, (graph) => {
      for (const node of this.nodes) graph.message(1, (w) => writeNode(w, node));
      graph.string(2, this.name);
      for (const init of this.initialisers) graph.message(5, (w) => writeInitialiser(w, init));
      for (const input of this.inputs) graph.message(11, (w) => writeValueInfo(w, input));
      for (const output of this.outputs) graph.message(12, (w) => writeValueInfo(w, output));
    });
    model.message(8, (w) => w.string(1, '').int(2, opset));
    return model.finish();
  }
}

function elementBytes(element: TensorElement, values: readonly number[]): Uint8Array {
  switch (element) {
    case 'float32':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'float64':
      return new Uint8Array(Float64Array.from(values).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'int64':
      return new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
    case 'bool':
      return Uint8Array.from(values.map((v) => (v ? 1 : 0)));
  }
}

function writeNode(w: ProtoWriter, node: NodeSpec): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.outputs[0]);
  w.string(4, node.op);
  for (const [name, value] of Object.entries(node.attributes)) {
    w.message(5, (a) => {
      a.string(1, name);
      if (typeof value === 'number') a.int(20, ATTRIBUTE_INT).int(3, value);
      else a.int(20, ATTRIBUTE_INTS).packedInts(8, value);
    });
  }
}

function writeInitialiser(w: ProtoWriter, init: Initialiser): void {
  w.packedInts(1, init.dims.map(Number));
  w.int(2, ELEMENT_CODE[init.element]);
  w.string(8, init.name);
  w.bytes(9, init.bytes);
}

function writeValueInfo(w: ProtoWriter, info: ValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ELEMENT_CODE[info.element]);
      tensor.message(2, (shape) => {
        for (const dim of info.dims) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}
