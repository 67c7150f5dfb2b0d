import type { DType } from '../../../core/dtype.js';

/** Threads per workgroup of the one-thread-per-element kernels. */
export const WORKGROUP = 256;

/** The WGSL element type a tensor of `dtype` is stored as (bool takes a whole u32 per element). */
export function storageType(dtype: DType): 'f32' | 'i32' | 'u32' {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'int32':
      return 'i32';
    case 'bool':
      return 'u32';
    default:
      throw new Error(`webgpu: ${dtype} tensors are not stored on the GPU`);
  }
}

/**
 * Helpers every shader may call. Special values are tested on bit patterns: WGSL lets compilers
 * assume finite math, so `x != x` could be folded away.
 */
export const PRELUDE = /* wgsl */ `
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
// Private variables, not constants: a constant expression may not evaluate to NaN or infinity.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn nan_f() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf_f() -> f32 { return bitcast<f32>(INF_BITS); }
// JavaScript's truthiness (NaN and 0 are false), as the reference's logical ops use.
fn truthy_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u && !is_nan(x); }
// JavaScript's ToInt32 of a float32: truncate, wrap modulo 2^32, NaN and infinities to 0.
fn to_i32(x: f32) -> i32 {
  let bits = bitcast<u32>(x);
  let e = i32((bits >> 23u) & 0xffu);
  if (e == 255 || e < 127) { return 0; }
  let shift = e - 150;
  let m = (bits & 0x7fffffu) | 0x800000u;
  var mag: u32;
  if (shift >= 32) { mag = 0u; } else if (shift >= 0) { mag = m << u32(shift); } else { mag = m >> u32(-shift); }
  if ((bits >> 31u) != 0u) { return bitcast<i32>(0u - mag); }
  return bitcast<i32>(mag);
}
// JavaScript's ToUint8 (a bool tensor's Uint8Array store of a number).
fn to_u8(x: f32) -> u32 { return bitcast<u32>(to_i32(x)) & 255u; }
`;

/** Converts a loaded value of storage type `from` to f32. */
export function toF32(expr: string, from: string): string {
  return from === 'f32' ? expr : `f32(${expr})`;
}

/** Converts an f32 expression to storage type `to`, as a typed-array store of the reference would. */
export function fromF32(expr: string, to: string): string {
  if (to === 'f32') return expr;
  if (to === 'i32') return `to_i32(${expr})`;
  return `to_u8(${expr})`;
}

/** The linear thread index of a 1-d dispatch spread over x and y (x is capped at 65535 groups). */
export const LINEAR_INDEX = /* wgsl */ `
  let i = gid.x + gid.y * nwg.x * ${WORKGROUP}u;`;

export const ENTRY_1D = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {`;
