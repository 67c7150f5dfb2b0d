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
