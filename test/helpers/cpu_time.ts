/**
 * CPU time, for tests that bound how much work something does: unlike wall-clock time it does
 * not grow when other processes share the machine, so a bound on it fails only when the code
 * itself does too much (a quadratic loop, a huge allocation), never because the machine is busy.
 * It counts every thread of this process (workers, the garbage collector), so it can exceed the
 * wall-clock time, never fall below the work done.
 */

/**
 * Milliseconds of CPU this process has used (user and system) since `start`, a reading of
 * `process.cpuUsage()`.
 * @example const start = process.cpuUsage(); load(); assert.ok(cpuMsSince(start) < 500);
 */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}
