// Sliding-window kernels over NHWC float32 images (convolution patches and max pooling), for
// images b0..b1 of a batch, so threads can take whole images. The geometry follows
// WindowGeometry in backend/backend.ts; pixels outside the image are padding.

// Geometry is copied into globals once per call: the kernels have too many scalars to pass
// between helpers otherwise.
let C: i32 = 0, IH: i32 = 0, IW: i32 = 0, KH: i32 = 0, KW: i32 = 0, SH: i32 = 0, SW: i32 = 0;
let DH: i32 = 0, DW: i32 = 0, OH: i32 = 0, OW: i32 = 0, PT: i32 = 0, PL: i32 = 0;

@inline function setGeometry(c: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, oh: i32, ow: i32, pt: i32, pl: i32): void {
  C = c; IH = ih; IW = iw; KH = kh; KW = kw; SH = sh; SW = sw; DH = dh; DW = dw; OH = oh; OW = ow; PT = pt; PL = pl;
}

// memory.copy of whole floats; short runs (a 3-pixel row of a one-channel image is 12 bytes)
// are copied inline, where the bulk copy's fixed cost was most of im2col's time.
@inline function copyFloats(dst: usize, src: usize, bytes: usize): void {
  if (bytes >= 128) {
    memory.copy(dst, src, bytes);
    return;
  }
  let q: usize = 0;
  for (; q + 16 <= bytes; q += 16) v128.store(dst + q, v128.load(src + q));
  if (q + 8 <= bytes) {
    store<u64>(dst + q, load<u64>(src + q));
    q += 8;
  }
  if (q < bytes) store<f32>(dst + q, load<f32>(src + q));
}

/**
 * im2col of one image whose windows all lie inside it, undilated along the width (a 'valid'
 * convolution): each window row is one run of kW*c floats, copied a kernel row at a time along
 * the output row, so the inner loop is two pointer steps and a short copy. One-channel images
 * (the first layer of an image model) spent most of im2col's time working out each 12-byte run.
 */
function im2colInside(img: usize, dst: usize): void {
  const rowBytes = <usize>(KW * C) << 2, winBytes = rowBytes * <usize>KH;
  const srcStep = <usize>(SW * C) << 2;
  for (let y0 = 0; y0 < OH; y0++) {
    for (let i = 0; i < KH; i++) {
      let s = img + (<usize>((y0 * SH + i * DH) * IW * C) << 2);
      let d = dst + <usize>(y0 * OW) * winBytes + <usize>i * rowBytes;
      for (let x0 = 0; x0 < OW; x0++) {
        copyFloats(d, s, rowBytes);
        s += srcStep;
        d += winBytes;
      }
    }
  }
}

/** out[b, oh, ow, (i*kW + j)*c + ch] = x[b, oh*sH + i*dH - pT, ow*sW + j*dW - pL, ch], or padValue. */
export function im2col(x: usize, out: usize, c: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, pt: i32, pl: i32, padValue: f32, b0: i32, b1: i32): void {
  setGeometry(c, ih, iw, kh, kw, sh, sw, dh, dw, oh, ow, pt, pl);
  const rowBytes = <usize>(KW * C) << 2, pixBytes = <usize>C << 2;
  const pad = f32x4.splat(padValue);
  let dst = out + (<usize>(b0 * OH * OW * KH * KW * C) << 2);
  const allInside = DW == 1 && PT == 0 && PL == 0 && (OH - 1) * SH + (KH - 1) * DH < IH && (OW - 1) * SW + KW <= IW;
  for (let b = b0; b < b1; b++) {
    const img = x + (<usize>(b * IH * IW * C) << 2);
    if (allInside && OH > 0 && OW > 0) {
      im2colInside(img, dst);
      dst += <usize>(OH * OW) * rowBytes * <usize>KH;
      continue;
    }
    for (let y0 = 0; y0 < OH; y0++) {
      for (let x0 = 0; x0 < OW; x0++) {
        const left = x0 * SW - PL;
        const inside = DW == 1 && left >= 0 && left + KW <= IW;
        for (let i = 0; i < KH; i++) {
          const y = y0 * SH + i * DH - PT;
          if (y < 0 || y >= IH) {
            let q: usize = 0;
            for (; q + 16 <= rowBytes; q += 16) v128.store(dst + q, pad);
            for (; q < rowBytes; q += 4) store<f32>(dst + q, padValue);
            dst += rowBytes;
            continue;
          }
          const src = img + (<usize>((y * IW) * C) << 2);
          if (inside) {
            copyFloats(dst, src + (<usize>(left * C) << 2), rowBytes);
            dst += rowBytes;
            continue;
          }
          for (let j = 0; j < KW; j++) {
            const xx = left + j * DW;
            if (xx >= 0 && xx < IW) copyFloats(dst, src + (<usize>(xx * C) << 2), pixBytes);
            else for (let q: usize = 0; q < pixBytes; q += 4) store<f32>(dst + q, padValue);
            dst += pixBytes;
          }
        }
      }
    }
  }
}

// dst[0..n) += src[0..n)
@inline function addRow(dst: usize, src: usize, n: i32): void {
  let q = 0;
  for (; q + 4 <= n; q += 4) { const o = <usize>q << 2; v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o))); }
  for (; q < n; q++) { const o = <usize>q << 2; store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o)); }
}

/** The adjoint of im2col: img[b] = 0, then every window row is added back onto its pixels. */
export function col2im(cols: usize, img: usize, c: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, pt: i32, pl: i32, b0: i32, b1: i32): void {
  setGeometry(c, ih, iw, kh, kw, sh, sw, dh, dw, oh, ow, pt, pl);
  memory.fill(img + (<usize>(b0 * IH * IW * C) << 2), 0, <usize>((b1 - b0) * IH * IW * C) << 2);
  let src = cols + (<usize>(b0 * OH * OW * KH * KW * C) << 2);
  const pixBytes = <usize>C << 2;
  for (let b = b0; b < b1; b++) {
    const base = img + (<usize>(b * IH * IW * C) << 2);
    for (let y0 = 0; y0 < OH; y0++) {
      for (let x0 = 0; x0 < OW; x0++) {
        const left = x0 * SW - PL;
        const inside = DW == 1 && left >= 0 && left + KW <= IW;
        for (let i = 0; i < KH; i++) {
          const y = y0 * SH + i * DH - PT;
          if (y < 0 || y >= IH) { src += pixBytes * <usize>KW; continue; }
          const row = base + (<usize>((y * IW) * C) << 2);
          if (inside) {
            addRow(row + (<usize>(left * C) << 2), src, KW * C);
            src += pixBytes * <usize>KW;
            continue;
          }
          for (let j = 0; j < KW; j++) {
            const xx = left + j * DW;
            if (xx >= 0 && xx < IW) addRow(row + (<usize>(xx * C) << 2), src, C);
            src += pixBytes;
          }
        }
      }
    }
  }
}

/** out[b, oh, ow, ch] = max over the window's in-image pixels (NaN wins; -Infinity if none). */
export function maxPool(x: usize, out: usize, c: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, pt: i32, pl: i32, b0: i32, b1: i32): void {
  setGeometry(c, ih, iw, kh, kw, sh, sw, dh, dw, oh, ow, pt, pl);
  const ninf = f32x4.splat(-Infinity);
  let dst = out + (<usize>(b0 * OH * OW * C) << 2);
  for (let b = b0; b < b1; b++) {
    const img = x + (<usize>(b * IH * IW * C) << 2);
    for (let y0 = 0; y0 < OH; y0++) {
      for (let x0 = 0; x0 < OW; x0++) {
        let ch = 0;
        for (; ch + 4 <= C; ch += 4) v128.store(dst + (<usize>ch << 2), ninf);
        for (; ch < C; ch++) store<f32>(dst + (<usize>ch << 2), -Infinity);
        for (let i = 0; i < KH; i++) {
          const y = y0 * SH + i * DH - PT;
          if (y < 0 || y >= IH) continue;
          for (let j = 0; j < KW; j++) {
            const xx = x0 * SW + j * DW - PL;
            if (xx < 0 || xx >= IW) continue;
            const src = img + (<usize>((y * IW + xx) * C) << 2);
            ch = 0;
            // f32x4.max propagates NaN, as the reference does.
            for (; ch + 4 <= C; ch += 4) { const o = <usize>ch << 2; v128.store(dst + o, f32x4.max(v128.load(dst + o), v128.load(src + o))); }
            for (; ch < C; ch++) {
              const o = <usize>ch << 2;
              const v = load<f32>(src + o), m = load<f32>(dst + o);
              if ((v > m || v != v) && m == m) store<f32>(dst + o, v);
            }
          }
        }
        dst += <usize>C << 2;
      }
    }
  }
}

/** dx[b] = 0, then each window's dy split evenly between the pixels equal to its max y. */
export function maxPoolGrad(x: usize, y: usize, dy: usize, dx: usize, c: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  dh: i32, dw: i32, oh: i32, ow: i32, pt: i32, pl: i32, b0: i32, b1: i32): void {
  setGeometry(c, ih, iw, kh, kw, sh, sw, dh, dw, oh, ow, pt, pl);
  if (PT == 0 && PL == 0 && DH == 1 && DW == 1 && SH >= KH && SW >= KW && (OH - 1) * SH + KH <= IH && (OW - 1) * SW + KW <= IW) {
    maxPoolGradDisjoint(x, y, dy, dx, b0, b1);
    return;
  }
  memory.fill(dx + (<usize>(b0 * IH * IW * C) << 2), 0, <usize>((b1 - b0) * IH * IW * C) << 2);
  for (let b = b0; b < b1; b++) {
    const imgOff = b * IH * IW * C;
    for (let y0 = 0; y0 < OH; y0++) {
      for (let x0 = 0; x0 < OW; x0++) {
        const win = ((b * OH + y0) * OW + x0) * C;
        // Four channels at a time: count the pixels equal to the max (compare masks are -1),
        // then add dy / count where equal (NaN never equals, as in the reference).
        let ch = 0;
        for (; ch + 4 <= C; ch += 4) {
          const m = v128.load(y + (<usize>(win + ch) << 2));
          let count = i32x4.splat(0);
          for (let i = 0; i < KH; i++) {
            const yy = y0 * SH + i * DH - PT;
            if (yy < 0 || yy >= IH) continue;
            for (let j = 0; j < KW; j++) {
              const xx = x0 * SW + j * DW - PL;
              if (xx < 0 || xx >= IW) continue;
              count = i32x4.sub(count, f32x4.eq(v128.load(x + (<usize>(imgOff + (yy * IW + xx) * C + ch) << 2)), m));
            }
          }
          const share = f32x4.div(v128.load(dy + (<usize>(win + ch) << 2)), f32x4.convert_i32x4_s(count));
          for (let i = 0; i < KH; i++) {
            const yy = y0 * SH + i * DH - PT;
            if (yy < 0 || yy >= IH) continue;
            for (let j = 0; j < KW; j++) {
              const xx = x0 * SW + j * DW - PL;
              if (xx < 0 || xx >= IW) continue;
              const o = <usize>(imgOff + (yy * IW + xx) * C + ch) << 2;
              const eq = f32x4.eq(v128.load(x + o), m);
              v128.store(dx + o, f32x4.add(v128.load(dx + o), v128.and(share, eq)));
            }
          }
        }
        for (; ch < C; ch++) {
          const m = load<f32>(y + (<usize>(win + ch) << 2));
          let count: i32 = 0;
          for (let pass = 0; pass < 2; pass++) {
            const share: f32 = pass == 1 ? load<f32>(dy + (<usize>(win + ch) << 2)) / <f32>count : 0;
            for (let i = 0; i < KH; i++) {
              const yy = y0 * SH + i * DH - PT;
              if (yy < 0 || yy >= IH) continue;
              for (let j = 0; j < KW; j++) {
                const xx = x0 * SW + j * DW - PL;
                if (xx < 0 || xx >= IW) continue;
                const o = <usize>(imgOff + (yy * IW + xx) * C + ch) << 2;
                if (load<f32>(x + o) != m) continue;
                if (pass == 0) count++;
                else store<f32>(dx + o, load<f32>(dx + o) + share);
              }
            }
            if (count == 0) break;
          }
        }
      }
    }
  }
}

// maxPoolGrad when windows neither overlap nor leave the image (the usual 2x2 pool of stride 2):
// each pixel gets at most one window's share, so it is stored, not added, and dx is zeroed
// first only where windows leave pixels uncovered. Adding the share to zero keeps the sign of a
// zero gradient what the accumulating form gives.
function maxPoolGradDisjoint(x: usize, y: usize, dy: usize, dx: usize, b0: i32, b1: i32): void {
  if (OH * SH != IH || OW * SW != IW || SH != KH || SW != KW) {
    memory.fill(dx + (<usize>(b0 * IH * IW * C) << 2), 0, <usize>((b1 - b0) * IH * IW * C) << 2);
  }
  const zero = f32x4.splat(0);
  const pixBytes = <usize>C << 2, rowBytes = <usize>(IW * C) << 2;
  for (let b = b0; b < b1; b++) {
    for (let y0 = 0; y0 < OH; y0++) {
      for (let x0 = 0; x0 < OW; x0++) {
        const win = <usize>(((b * OH + y0) * OW + x0) * C) << 2;
        const corner = <usize>(((b * IH + y0 * SH) * IW + x0 * SW) * C) << 2;
        let ch = 0;
        for (; ch + 4 <= C; ch += 4) {
          const o = <usize>ch << 2;
          const m = v128.load(y + win + o);
          let count = i32x4.splat(0);
          let row = corner + o;
          for (let i = 0; i < KH; i++, row += rowBytes) {
            for (let j = 0, q = row; j < KW; j++, q += pixBytes) count = i32x4.sub(count, f32x4.eq(v128.load(x + q), m));
          }
          const share = f32x4.div(v128.load(dy + win + o), f32x4.convert_i32x4_s(count));
          row = corner + o;
          for (let i = 0; i < KH; i++, row += rowBytes) {
            for (let j = 0, q = row; j < KW; j++, q += pixBytes) {
              v128.store(dx + q, f32x4.add(v128.and(share, f32x4.eq(v128.load(x + q), m)), zero));
            }
          }
        }
        for (; ch < C; ch++) {
          const o = <usize>ch << 2;
          const m = load<f32>(y + win + o);
          let count: i32 = 0;
          let row = corner + o;
          for (let i = 0; i < KH; i++, row += rowBytes) {
            for (let j = 0, q = row; j < KW; j++, q += pixBytes) if (load<f32>(x + q) == m) count++;
          }
          const share: f32 = load<f32>(dy + win + o) / <f32>count;
          row = corner + o;
          for (let i = 0; i < KH; i++, row += rowBytes) {
            for (let j = 0, q = row; j < KW; j++, q += pixBytes) store<f32>(dx + q, load<f32>(x + q) == m ? share + 0 : 0);
          }
        }
      }
    }
  }
}
