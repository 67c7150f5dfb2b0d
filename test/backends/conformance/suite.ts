// The backend conformance suite: every kernel of the contract, run on the reference backend (the
// oracle) and on each target, compared under the target's profile (profiles.ts). A backend is
// done when it passes. Runners: test/backends/conformance.test.ts (every wasm build),
// test/webgpu/node_dawn.test.ts (WebGPU in Node's Dawn) and test/webgpu/browser.test.ts
// (WebGPU in headless Chromium).
import { fusedKernelNames, type Backend, type FusedKernelName } from '../../../src/backend/backend.js';
import { CORE } from './core.js';
import { FUSED } from './fused.js';
import { type CaseResult, Check, type Target } from './harness.js';
import type { Profile } from './profiles.js';

export type { CaseResult, Target } from './harness.js';
export { WASM, WEBGPU, type Profile } from './profiles.js';

/** The name of the section of an optional kernel. */
export const fusedSection = (k: FusedKernelName): string => `optional kernel ${k}`;

/** Every section by name: the required kernels, then one per optional kernel. */
export const SECTIONS: Record<string, (c: Check) => Promise<void>> = {
  ...CORE,
  ...Object.fromEntries(fusedKernelNames.map((k) => [fusedSection(k), FUSED[k]])),
};

export const SECTION_NAMES = Object.keys(SECTIONS);

/** The optional kernel a section tests, if it is one. */
export function optionalKernelOf(section: string): FusedKernelName | undefined {
  return fusedKernelNames.find((k) => fusedSection(k) === section);
}

/** The targets a section runs on: all of them, or for an optional kernel those that provide it. */
export function targetsOf(section: string, targets: readonly Target[]): Target[] {
  const kernel = optionalKernelOf(section);
  return kernel ? targets.filter((t) => t.backend[kernel] !== undefined) : [...targets];
}

/** A section's seed, from its name, so each section draws the same inputs however the suite is run. */
function seedOf(section: string): number {
  let h = 12345;
  for (let i = 0; i < section.length; i++) h = (h * 31 + section.charCodeAt(i)) % 2147483648;
  return h;
}

/**
 * Runs one section against `targets` (the reference backend computes each case once) and returns
 * a result per case and target; none when no target provides the section's optional kernel.
 * @example const results = await runSection('unary', new RefBackend(), [{ name: 'wasm', backend }], WASM);
 */
export async function runSection(
  section: string,
  ref: Backend,
  targets: readonly Target[],
  profile: Profile,
): Promise<CaseResult[]> {
  const run = SECTIONS[section];
  if (!run)
    throw new Error(`conformance: no section ${JSON.stringify(section)}; sections are ${SECTION_NAMES.join(', ')}`);
  const on = targetsOf(section, targets);
  if (on.length === 0) return [];
  const check = new Check(section, ref, on, profile, seedOf(section));
  try {
    await run(check);
  } finally {
    check.release();
  }
  return check.results;
}

/**
 * Runs every section (or those `only` names) and returns every result.
 * @example const failed = (await runConformance(new RefBackend(), [{ name: 'webgpu', backend: gpu }], WEBGPU)).filter((r) => !r.ok);
 */
export async function runConformance(
  ref: Backend,
  targets: readonly Target[],
  profile: Profile,
  only: readonly string[] = SECTION_NAMES,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const section of only) results.push(...(await runSection(section, ref, targets, profile)));
  return results;
}
