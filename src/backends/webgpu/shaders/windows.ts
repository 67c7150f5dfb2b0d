// Window kernels of convolution and pooling on NHWC images, one thread per output element, in the
// gather form (each thread reads what it needs, nothing is scattered, so no atomics). Params
// start with the element count, then the geometry: c, inH, inW, kH, kW, strideH, strideW,
// dilationH, dilationW, outH, outW, padTop, padLeft (see geometryParams).
import type { WindowGeometry } from '../../../backend/backend.js';
import { ENTRY_1D, LINEAR_INDEX, PRELUDE } from './common.js';

/** [c, inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, outH, outW, padTop, padLeft]. */
export function geometryParams(c: number, g: WindowGeometry): number[] {
  return [
    c,
    g.inH,
    g.inW,
    g.kH,
    g.kW,
    g.strideH,
    g.strideW,
    g.dilationH,
    g.dilationW,
    g.outH,
    g.outW,
    g.padTop,
    g.padLeft,
  ];
}

const GEOMETRY = /* wgsl */ `
  let c = q[1]; let inH = i32(q[2]); let inW = i32(q[3]); let kH = q[4]; let kW = q[5];
  let sH = i32(q[6]); let sW = i32(q[7]); let dH = i32(q[8]); let dW = i32(q[9]);
  let outH = q[10]; let outW = q[11]; let padTop = i32(q[12]); let padLeft = i32(q[13]);
  let taps = kH * kW; let windows = outH * outW;`;

/** Decomposes image element i into (b, yy, xx, ch). */
const PIXEL = /* wgsl */ `
  let ch = i % c; let xx = i32((i / c) % u32(inW)); let yy = i32((i / (c * u32(inW))) % u32(inH)); let b = i / (c * u32(inW) * u32(inH));`;

/**
 * Runs `body` for every window w (and tap ti, tj) that reads image pixel (yy, xx): the gather
 * form of an adjoint, shared by col2im and the max-pool gradient.
 */
function forEachCoveringWindow(body: string): string {
  return `
  for (var ti = 0u; ti < kH; ti = ti + 1u) {
    let oy = yy + padTop - i32(ti) * dH;
    if (oy < 0 || oy % sH != 0 || oy / sH >= i32(outH)) { continue; }
    for (var tj = 0u; tj < kW; tj = tj + 1u) {
      let ox = xx + padLeft - i32(tj) * dW;
      if (ox < 0 || ox % sW != 0 || ox / sW >= i32(outW)) { continue; }
      let w = u32(oy / sH) * outW + u32(ox / sW);
${body}
    }
  }`;
}

/** cols[b, oh, ow, (i·kW + j)·c + ch] = x[b, oh·sH + i·dH - padTop, ow·sW + j·dW - padLeft, ch], or the pad value (params word 14, f32 bits). */
export function im2colShader(): string {
  return `@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= q[0]) { return; }${GEOMETRY}
  let ch = i % c; let t = (i / c) % taps; let w = (i / (c * taps)) % windows; let b = i / (c * taps * windows);
  let yy = i32(w / outW) * sH + i32(t / kW) * dH - padTop;
  let xx = i32(w % outW) * sW + i32(t % kW) * dW - padLeft;
  if (yy < 0 || yy >= inH || xx < 0 || xx >= inW) { y[i] = bitcast<f32>(q[14]); return; }
  y[i] = x[((b * u32(inH) + u32(yy)) * u32(inW) + u32(xx)) * c + ch];
}`;
}

/** The adjoint of im2col: each image element sums the window entries that read it. */
export function col2imShader(): string {
  return `@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read_write> img: array<f32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= q[0]) { return; }${GEOMETRY}
${PIXEL}
  var acc = 0.0;${forEachCoveringWindow('      acc = acc + cols[((b * windows + w) * taps + ti * kW + tj) * c + ch];')}
  img[i] = acc;
}`;
}

/** Max over each window (NaN wins, as in the reference); a window that sees no pixel gives -Infinity. */
export function maxPoolShader(): string {
  return `${PRELUDE}
@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= q[0]) { return; }${GEOMETRY}
  let ch = i % c; let w = (i / c) % windows; let b = i / (c * windows);
  let oy = i32(w / outW) * sH - padTop; let ox = i32(w % outW) * sW - padLeft;
  var best = -inf_f();
  for (var ti = 0u; ti < kH; ti = ti + 1u) {
    let yy = oy + i32(ti) * dH;
    if (yy < 0 || yy >= inH) { continue; }
    for (var tj = 0u; tj < kW; tj = tj + 1u) {
      let xx = ox + i32(tj) * dW;
      if (xx < 0 || xx >= inW) { continue; }
      let v = x[((b * u32(inH) + u32(yy)) * u32(inW) + u32(xx)) * c + ch];
      if (!is_nan(best) && (v > best || is_nan(v))) { best = v; }
    }
  }
  y[i] = best;
}`;
}

/**
 * Gradient of maxPool: each window's dy shared evenly by the pixels equal to its max. One thread
 * per input pixel walks the windows that cover it and counts each one's ties itself.
 */
export function maxPoolGradShader(): string {
  return `@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
${ENTRY_1D}${LINEAR_INDEX}
  if (i >= q[0]) { return; }${GEOMETRY}
${PIXEL}
  let v = x[i];
  var acc = 0.0;${forEachCoveringWindow(`      let win = (b * windows + w) * c + ch;
      let m = y[win];
      if (v != m) { continue; }
      // Ties in this window: the pixels of its taps equal to its max.
      var ties = 0.0;
      let wy = (oy / sH) * sH - padTop; let wx = (ox / sW) * sW - padLeft;
      for (var si = 0u; si < kH; si = si + 1u) {
        let py = wy + i32(si) * dH;
        if (py < 0 || py >= inH) { continue; }
        for (var sj = 0u; sj < kW; sj = sj + 1u) {
          let px = wx + i32(sj) * dW;
          if (px < 0 || px >= inW) { continue; }
          if (x[((b * u32(inH) + u32(py)) * u32(inW) + u32(px)) * c + ch] == m) { ties = ties + 1.0; }
        }
      }
      acc = acc + dy[win] / ties;`)}
  dx[i] = acc;
}`;
}
