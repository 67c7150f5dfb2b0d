// Node's side of a conformance run: one test per section asserts that section's results (for a
// run in this process, or one reported by a child process or a browser page).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { type CaseResult, optionalKernelOf } from './suite.js';

/**
 * Passes when every case of `section` passed; skips the test when the section is an optional
 * kernel none of the targets provides, and fails when a required section ran no case.
 */
export function assertSection(t: TestContext, results: readonly CaseResult[], section: string): void {
  const mine = results.filter((r) => r.section === section);
  const kernel = optionalKernelOf(section);
  if (mine.length === 0 && kernel) {
    t.skip(`no target provides the optional kernel ${kernel}`);
    return;
  }
  t.diagnostic(`${mine.length} cases`);
  assert.ok(mine.length > 0, `section ${section} ran no case`);
  assert.deepEqual(
    mine.filter((r) => !r.ok).map((r) => r.message),
    [],
  );
}
