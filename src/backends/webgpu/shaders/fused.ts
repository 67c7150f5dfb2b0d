// Fused kernels of the WebGPU backend: one dispatch where the op-by-op form takes many.
import { ENTRY_1D, LINEAR_INDEX, PRELUDE } from './common.js';
import { UNARY_HELPERS } from './unary_ops.js';

/** Threads sharing one row in the softmax kernel. */
export const SOFTMAX_GROUP = 64;

/**
 * One Adam step per element (Keras 3 form, as the reference's adamStep):
 * m' = m + (g - m)·d1; v' = v + (g² - v)·d2; p' = p - alpha·m' / (sqrt(v') + eps).
 * Params: n, then the f32 bit patterns of alpha, d1 = 1 - beta1, d2 = 1 - beta2 and eps.
 */
export function adamShader(): string {
  return `@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> m: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read_write> p_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> m_out: array<f32>;
@group(0) @binding(7) var<storage, read_write> v_out: array<f32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= q[0]) { return; }
  let alpha = bitcast<f32>(q[1]); let d1 = bitcast<f32>(q[2]); let d2 = bitcast<f32>(q[3]); let eps = bitcast<f32>(q[4]);
  let gi = g[i];
  let mi = m[i] + (gi - m[i]) * d1;
  let vi = v[i] + (gi * gi - v[i]) * d2;
  m_out[i] = mi;
  v_out[i] = vi;
  p_out[i] = p[i] - (mi * alpha) / (sqrt(vi) + eps);
}`;
}

/**
 * Softmax or log-softmax of each row of x viewed as [rows, cols], one workgroup per row: the
 * threads stride over the row for its max, then for the sum of exponentials, then write. The
 * special values follow the reference exactly, tested on bits (GPU exp and log need not): a NaN
 * anywhere makes the row NaN; a +Inf makes its own entries NaN and the others 0 (-Inf under
 * log); a row whose exponentials all vanish (all -Inf) is NaN. Params: rows, cols, log (0/1).
 */
export function softmaxShader(): string {
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
var<workgroup> part: array<f32, ${SOFTMAX_GROUP}>;
var<workgroup> flags: array<u32, ${SOFTMAX_GROUP}>;
@compute @workgroup_size(${SOFTMAX_GROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wg.x + wg.y * nwg.x;
  let inRange = row < q[0];
  let cols = q[1];
  let base = row * cols;
  // Pass 1: the row's max of finite values, and whether it holds a NaN (bit 1) or a +Inf (bit 2).
  var mx = -inf_f();
  var flag = 0u;
  if (inRange) {
    for (var c = lid.x; c < cols; c = c + ${SOFTMAX_GROUP}u) {
      let v = x[base + c];
      if (is_nan(v)) { flag = flag | 1u; } else if (is_inf(v)) { if (v > 0.0) { flag = flag | 2u; } } else { mx = max(mx, v); }
    }
  }
  part[lid.x] = mx;
  flags[lid.x] = flag;
  workgroupBarrier();
  for (var half = ${SOFTMAX_GROUP / 2}u; half > 0u; half = half / 2u) {
    if (lid.x < half) { part[lid.x] = max(part[lid.x], part[lid.x + half]); flags[lid.x] = flags[lid.x] | flags[lid.x + half]; }
    workgroupBarrier();
  }
  let allFlags = flags[0];
  var shift = part[0];
  if (is_inf(shift)) { shift = 0.0; }
  workgroupBarrier();
  // Pass 2: the sum of exp(x - shift) over the entries that are not -Inf.
  var sum = 0.0;
  if (inRange) {
    for (var c = lid.x; c < cols; c = c + ${SOFTMAX_GROUP}u) {
      let v = x[base + c];
      if (!is_inf(v)) { sum = sum + exp(v - shift); }
    }
  }
  part[lid.x] = sum;
  workgroupBarrier();
  for (var half = ${SOFTMAX_GROUP / 2}u; half > 0u; half = half / 2u) {
    if (lid.x < half) { part[lid.x] = part[lid.x] + part[lid.x + half]; }
    workgroupBarrier();
  }
  let total = part[0];
  if (!inRange) { return; }
  let logTotal = log(total);
  let wantLog = q[2] == 1u;
  for (var c = lid.x; c < cols; c = c + ${SOFTMAX_GROUP}u) {
    let v = x[base + c];
    var out: f32;
    if ((allFlags & 1u) != 0u) { out = nan_f(); }
    else if ((allFlags & 2u) != 0u) {
      if (is_inf(v) && v > 0.0) { out = nan_f(); } else if (wantLog) { out = -inf_f(); } else { out = 0.0; }
    }
    else if (total == 0.0) { out = nan_f(); }
    else if (is_inf(v)) { if (wantLog) { out = -inf_f(); } else { out = 0.0; } }
    else if (wantLog) { out = (v - shift) - logTotal; }
    else { out = exp(v - shift) / total; }
    y[base + c] = out;
  }
}`;
}

/**
 * The LSTM cell, one thread per (row, unit): gates i, f, g, o from z [batch, 4·units] (Keras
 * order), c' = f·c + i·g, h' = o·tanh(c'). Params: batch·units, units.
 */
export function lstmCellShader(): string {
  return `${PRELUDE}${UNARY_HELPERS}
@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> gates: array<f32>;
@group(0) @binding(4) var<storage, read_write> c_new: array<f32>;
@group(0) @binding(5) var<storage, read_write> h: array<f32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= q[0]) { return; }
  let units = q[1];
  let zr = (i / units) * 4u * units + i % units;
  let ig = sigmoid_f(z[zr]); let fg = sigmoid_f(z[zr + units]);
  let gg = tanh_f(z[zr + 2u * units]); let og = sigmoid_f(z[zr + 3u * units]);
  gates[zr] = ig; gates[zr + units] = fg; gates[zr + 2u * units] = gg; gates[zr + 3u * units] = og;
  let cn = fg * c[i] + ig * gg;
  c_new[i] = cn;
  h[i] = og * tanh_f(cn);
}`;
}

/**
 * The cell's gradients. 'cell' (hidden = 0): dy = dc', state = c; dz for the i, f and c slots,
 * dstate = dc'·f. 'hidden' (1): dy = dh', state = c'; dz in the o slot, dstate = dh'·o·(1 - tanh²(c')).
 * Params: batch·units, units, hidden.
 */
export function lstmCellGradShader(): string {
  return `${PRELUDE}${UNARY_HELPERS}
@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> gates: array<f32>;
@group(0) @binding(2) var<storage, read> state: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dz: array<f32>;
@group(0) @binding(5) var<storage, read_write> dstate: array<f32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= q[0]) { return; }
  let units = q[1];
  let zr = (i / units) * 4u * units + i % units;
  let d = dy[i];
  if (q[2] == 0u) {
    let ig = gates[zr]; let fg = gates[zr + units]; let gg = gates[zr + 2u * units];
    dz[zr] = d * gg * ig * (1.0 - ig);
    dz[zr + units] = d * state[i] * fg * (1.0 - fg);
    dz[zr + 2u * units] = d * ig * (1.0 - gg * gg);
    dz[zr + 3u * units] = 0.0;
    dstate[i] = d * fg;
  } else {
    let og = gates[zr + 3u * units]; let t = tanh_f(state[i]);
    dz[zr] = 0.0; dz[zr + units] = 0.0; dz[zr + 2u * units] = 0.0;
    dz[zr + 3u * units] = d * t * og * (1.0 - og);
    dstate[i] = d * og * (1.0 - t * t);
  }
}`;
}
