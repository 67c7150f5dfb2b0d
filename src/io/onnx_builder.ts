import type { Tensor } from '../core/tensor.js';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './onnx_proto.js';

/**
 * Collects ONNX nodes and constants with unique names while a model is translated layer by
 * layer. `op` returns the name of the node's (first) output.
 */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();

  /** A name not used yet, based on `base`. */
  fresh(base: string): string {
    let name = base.replace(/[^\w./-]/g, '_'),
      i = 1;
    while (this.used.has(name)) name = `${base}_${i++}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node; `outputs` is how many outputs to name (all are returned by `opMulti`). */
  op(opType: string, inputs: string[], scope: string, attributes?: Record<string, OnnxAttribute>): string {
    return this.opMulti(opType, inputs, scope, 1, attributes)[0];
  }

  opMulti(
    opType: string,
    inputs: string[],
    scope: string,
    outputs: number,
    attributes?: Record<string, OnnxAttribute>,
  ): string[] {
    const outs = Array.from({ length: outputs }, (_, i) =>
      this.fresh(`${scope}/${opType}${outputs > 1 ? `_${i}` : ''}`),
    );
    this.nodes.push({ op: opType, inputs, outputs: outs, name: this.fresh(`${scope}/${opType}_node`), attributes });
    return outs;
  }

  /** A float32 constant from values or a tensor. */
  constant(scope: string, values: Tensor | Float32Array | number[], dims?: number[]): string {
    const data =
      values instanceof Float32Array
        ? values
        : Array.isArray(values)
          ? Float32Array.from(values)
          : Float32Array.from(values.dataSync() as ArrayLike<number>);
    const name = this.fresh(scope);
    this.initializers.push({
      name,
      dims: dims ?? (Array.isArray(values) || values instanceof Float32Array ? [data.length] : [...values.shape]),
      float32: data,
    });
    return name;
  }

  /** An int64 constant (shapes, axes). */
  int64(scope: string, values: number[]): string {
    const name = this.fresh(scope);
    this.initializers.push({ name, dims: [values.length], int64: values });
    return name;
  }

  /** NHWC → NCHW, the layout ONNX's Conv and pooling use. */
  toNchw(x: string, scope: string): string {
    return this.op('Transpose', [x], scope, { perm: { ints: [0, 3, 1, 2] } });
  }

  toNhwc(x: string, scope: string): string {
    return this.op('Transpose', [x], scope, { perm: { ints: [0, 2, 3, 1] } });
  }
}
