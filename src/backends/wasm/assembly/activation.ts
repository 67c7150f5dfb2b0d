// The fused dense layer's epilogue and the one-pass ReLU gradient. Activation codes: 0 none,
// 1 ReLU (as in the backend contract's FusedActivation, in that order).

/** ReLU on four lanes: max keeps NaN and turns -0 into +0, as the unary kernel does. */
@inline export function activate(v: v128, act: i32): v128 {
  return act == 1 ? f32x4.max(v, f32x4.splat(0)) : v;
}

@inline function activateS(v: f32, act: i32): f32 {
  return act == 1 ? (v > 0 ? v : v == v ? 0 : v) : v;
}

/**
 * Rows rowStart..rowEnd of out[r, j] = act(x[r, j] + bias[j]) over n columns (bias 0: none);
 * out may be x (in place, after a product).
 */
export function biasActRows(x: usize, bias: usize, out: usize, n: i32, act: i32, rowStart: i32, rowEnd: i32): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const xr = x + (<usize>(r * n) << 2), or = out + (<usize>(r * n) << 2);
    let j = 0;
    if (bias != 0) {
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(or + o, activate(f32x4.add(v128.load(xr + o), v128.load(bias + o)), act));
      }
      for (; j < n; j++) {
        const o = <usize>j << 2;
        store<f32>(or + o, activateS(load<f32>(xr + o) + load<f32>(bias + o), act));
      }
    } else {
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(or + o, activate(v128.load(xr + o), act));
      }
      for (; j < n; j++) store<f32>(or + (<usize>j << 2), activateS(load<f32>(xr + (<usize>j << 2)), act));
    }
  }
}

/** ReLU's gradient from its output, elements start..end: out = y > 0 ? dy : 0, one pass. */
export function reluGrad(y: usize, dy: usize, out: usize, start: i32, end: i32): void {
  const zero = f32x4.splat(0);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < end; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : 0);
  }
}
