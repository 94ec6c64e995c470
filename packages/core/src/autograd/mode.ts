/** Global switches of the autodiff machinery. */
let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording ops for reverse mode (like `torch.no_grad`). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with reverse-mode recording set to `flag`. @internal */
export function withGrad<T>(flag: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = flag;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

let forwardLevel = 0;
/** Every `jvp` call gets a fresh level, so tangents left on tensors by an earlier call never count. */
let lastLevel = 0;

/** The active forward-mode level (0 = no `jvp` running). @internal */
export function currentForwardLevel(): number {
  return forwardLevel;
}

/** @internal */
export function enterForward(): number {
  if (forwardLevel !== 0) throw new Error('jvp: nested forward-mode (jvp inside jvp) is not supported');
  lastLevel = lastLevel >= Number.MAX_SAFE_INTEGER ? 1 : lastLevel + 1;
  forwardLevel = lastLevel;
  return forwardLevel;
}

/** @internal */
export function exitForward(): void {
  forwardLevel = 0;
}

/** Runs `fn` with forward mode switched off (used while evaluating forward rules). @internal */
export function withoutForward<T>(fn: () => T): T {
  const prev = forwardLevel;
  forwardLevel = 0;
  try {
    return fn();
  } finally {
    forwardLevel = prev;
  }
}
