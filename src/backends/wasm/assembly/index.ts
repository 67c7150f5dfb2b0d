// Entry point of the WebAssembly module: kernels are pure functions over byte addresses in a
// memory the JavaScript side owns and allocates; nothing here allocates.
export { gemm, gemmBatched, gemmBatchedOne, gemmSmall, gemmThin, gemmScratchBytes, packPanels, gemmPanelTile, gemmDepthSlice } from './gemm';
export { binary, unary, select } from './elementwise';
export { reduce, softmaxRows, adam } from './reduce';
export { im2col, col2im, maxPool, maxPoolGrad } from './windows';
export { lstmForward, lstmGradCell, lstmGradHidden } from './lstm';
export { lstmSequenceRows, lstmSequenceGradRows } from './lstm_sequence';
export { biasActRows, reluGrad } from './activation';
export { gelu, geluWithDerivative } from './activations';
export { layerNorm, layerNormGrad, sumPartialsF64 } from './layer_norm';
export { maskedSoftmaxRows, softmaxGradRows } from './softmax';
export { copyRuns, gatherRuns } from './movement';
export { packThin, gemmThinPacked } from './thin_packed';
export { castElements } from './cast';

/** First byte the JavaScript allocator may use (after this module's static data). */
export function heapBase(): usize {
  return __heap_base;
}
