// Preloaded (--import) into the example processes the tests start (on Myelin and on TF.js, whose
// unseeded initializers draw their seeds from Math.random): seeds Myelin's generator and
// Math.random, so an example draws the same initial weights, shuffles and simulated data on every
// run and its quality bar is checked against one known outcome rather than a lucky one.
import { setSeed } from '../../src/index.js';

// EXAMPLE_SEED picks another fixed outcome (a test that compares medians runs several).
const offset = Number(process.env.EXAMPLE_SEED ?? 0);
setSeed(20_240_611 + offset);
let state = (0x9e3779b9 + offset) | 0;
// mulberry32: small, fast and well distributed for test data.
Math.random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
