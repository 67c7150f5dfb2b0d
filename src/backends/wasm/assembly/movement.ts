// Data movement: the loop behind transpose, walking the output in order over up to four outer
// axes while the input offset moves by the permuted strides, copying `run` contiguous elements of
// `bytes` bytes at each position (whole rows when the last axes stay in place).

/**
 * Output positions [start, end) of the first outer axis: out[i0, i1, i2, i3, 0..run) =
 * x[i0·s0 + i1·s1 + i2·s2 + i3·s3 + 0..run) (strides and run in elements).
 */
export function copyRuns(x: usize, out: usize, d1: i32, d2: i32, d3: i32, s0: i32, s1: i32, s2: i32, s3: i32,
  run: i32, bytes: i32, start: i32, end: i32): void {
  const runBytes = <usize>(run * bytes);
  let dst = out + <usize>start * <usize>(d1 * d2 * d3) * runBytes;
  for (let i0 = start; i0 < end; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        let src = x + <usize>((i0 * s0 + i1 * s1 + i2 * s2) * bytes);
        const step = <usize>(s3 * bytes);
        if (run == 1 && bytes == 4) {
          for (let i3 = 0; i3 < d3; i3++) {
            store<u32>(dst, load<u32>(src));
            src += step;
            dst += 4;
          }
        } else {
          for (let i3 = 0; i3 < d3; i3++) {
            memory.copy(dst, src, runBytes);
            src += step;
            dst += runBytes;
          }
        }
      }
    }
  }
}

/**
 * A gather along one axis: out[o, i, ·] = x[o, idx[i], ·] for o < outer and i < count, where
 * each picked slice is `runBytes` contiguous bytes (the axes after the gathered one) and `len`
 * slices make up one outer position of x. Indices are int32 and already checked by the op. One
 * memory.copy per slice: a batch of rows from a training set moves at memory speed, where a
 * copy per row from JavaScript paid a typed-array view and a call each.
 */
export function gatherRuns(x: usize, idx: usize, out: usize, outer: i32, len: i32, count: i32, runBytes: i32): void {
  const rb = <usize>runBytes;
  let dst = out;
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * <usize>len * rb;
    if (runBytes == 4) {
      for (let i = 0; i < count; i++) {
        store<u32>(dst, load<u32>(base + (<usize>load<i32>(idx + (<usize>i << 2)) << 2)));
        dst += 4;
      }
      continue;
    }
    for (let i = 0; i < count; i++) {
      memory.copy(dst, base + <usize>load<i32>(idx + (<usize>i << 2)) * rb, rb);
      dst += rb;
    }
  }
}
