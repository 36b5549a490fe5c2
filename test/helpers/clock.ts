/**
 * Moves the wall clock (`Date`) forward without waiting, for behaviour that keys on elapsed wall time (cockatiel's
 * breaker half-opens after `halfOpenAfter` by `Date.now()`). Only `Date` is faked: timers, sockets and
 * `performance.now()` keep running for real, and the faked clock keeps ticking. Undo with `jest.useRealTimers()`.
 */
export function moveWallClockForward(ms: number): void {
  jest.useFakeTimers({
    now: Date.now() + ms,
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
