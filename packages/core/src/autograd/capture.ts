/**
 * Capture and replay of a step (see `compile`). While a capture runs, every primitive applied and
 * every side effect the library declares (accumulating a leaf's gradient, drawing a dropout mask,
 * copying class labels) is appended to a list of steps, each bound to the memory of its operands
 * and its result. Replaying the list runs the same kernels on the same memory, without shape
 * checks, allocation or graph bookkeeping. This module has no imports so that low-level modules
 * (the RNG, `apply`) can consult it.
 */

/** One replayable step: runs a kernel, or an effect, on memory fixed at capture time. */
export type ReplayStep = () => void;

interface Recorder {
  steps: ReplayStep[];
  /** > 0 while a declared effect runs (inside it, reading values and drawing random numbers is allowed). */
  inEffect: number;
}

let recorder: Recorder | null = null;

/** Whether a capture is running. @internal */
export function isCapturing(): boolean {
  return recorder !== null;
}

/** Starts recording; throws if a capture is already running. @internal */
export function beginCapture(): void {
  if (recorder !== null) throw new Error('compile: a compiled function was called while another one was being captured (nesting is not supported)');
  recorder = { steps: [], inEffect: 0 };
}

/** Stops recording and returns the steps recorded. @internal */
export function endCapture(): ReplayStep[] {
  const steps = recorder?.steps ?? [];
  recorder = null;
  return steps;
}

/** Appends a step to the capture, if one is running. @internal */
export function recordStep(step: ReplayStep): void {
  // Inside an effect, the effect itself is the step.
  if (recorder !== null && recorder.inEffect === 0) recorder.steps.push(step);
}

/**
 * Runs a side effect now and, while a capture runs, records it so that every replay runs it again
 * (in program order with the kernels around it). @internal
 */
export function effect(run: ReplayStep): void {
  const r = recorder;
  if (r === null || r.inEffect > 0) {
    run();
    return;
  }
  r.inEffect++;
  try {
    run();
  } finally {
    r.inEffect--;
  }
  r.steps.push(run);
}

/**
 * Throws while a capture runs outside a declared effect: `what` would read tensor values into
 * JavaScript (or draw random numbers), and a replay would reuse what it read at capture time. @internal
 */
export function assertNotCapturing(what: string): void {
  if (recorder !== null && recorder.inEffect === 0) {
    const why = 'replays do not run JavaScript between the tensor ops';
    throw new Error(`compile: ${what} inside a compiled function would be fixed at capture time (${why}); move it out of the compiled function`);
  }
}
