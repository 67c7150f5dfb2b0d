/**
 * Myelin's entry for browsers (package.json `exports`, "browser" condition): the same API as the
 * Node entry, whose modules reach Node's built-ins only at run time, so a bundle holds none of
 * them. On import it starts fetching and compiling the wasm backend (the threaded build on a
 * cross-origin isolated page); `await ready()` before creating tensors to compute on it.
 *
 * @example
 * import * as my from 'myelin';
 * await my.ready(); // 'wasm'
 */
import { startBestBackend } from './backends/wasm/register.js';

export * from './index.js';

void startBestBackend();
