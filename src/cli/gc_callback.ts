import type { CustomCallbackArgs } from '../callbacks/callback.js';

/**
 * Runs a full garbage collection after every batch when node was started with --expose-gc.
 * Backend memory (WebAssembly) is released when tensors are garbage collected, and the few
 * small objects a training step leaves behind rarely trigger a collection by themselves, so
 * long recurrent runs on the wasm backend otherwise outgrow its memory. Without --expose-gc it
 * does nothing.
 * @example await model.fit(x, y, { callbacks: [collectGarbageEachBatch] });
 */
export const collectGarbageEachBatch: CustomCallbackArgs = {
  onBatchEnd: async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) return;
    gc();
    // Finalizers (which free backend memory) run as tasks: let them.
    await new Promise((resolve) => setImmediate(resolve));
  },
};
