/** The fused dense step's WebAssembly module, base64-encoded (written by scripts/build-wasm.mjs). */
export declare const DENSE_KERNELS_WASM: string;
