// Element type conversions between the heap's dtypes, where every value converts exactly or by
// one rounding that JavaScript's typed arrays make the same way: bool and int32 to float32
// (round to nearest even), anything to bool (x != 0, so NaN is true), bool to int32. float32 to
// int32 (JavaScript truncates, then wraps out-of-range values) stays with the reference code.

/** Codes of the element types, as the host passes them. */
const BOOL: i32 = 0;
const INT32: i32 = 1;
const FLOAT32: i32 = 2;

/** out[i] = x[i] converted from type `from` to type `to` (codes above), for i in start..end. */
export function castElements(x: usize, from: i32, out: usize, to: i32, start: i32, end: i32): void {
  for (let i = start; i < end; i++) {
    const at = <usize>i;
    if (to == BOOL) {
      const nonZero = from == BOOL ? load<u8>(x + at) != 0 : from == INT32 ? load<i32>(x + (at << 2)) != 0 : load<f32>(x + (at << 2)) != 0;
      store<u8>(out + at, nonZero ? 1 : 0);
    } else if (to == FLOAT32) {
      store<f32>(out + (at << 2), from == BOOL ? <f32>load<u8>(x + at) : <f32>load<i32>(x + (at << 2)));
    } else {
      store<i32>(out + (at << 2), <i32>load<u8>(x + at));
    }
  }
}
