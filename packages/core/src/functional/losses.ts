import { effect } from '../autograd/capture.js';
import { allocShared } from '../dtype.js';
import { fmtShape, shapeEq } from '../shape.js';
import { Tensor } from '../tensor.js';
import { where } from '../ops/where.js';
import { logSoftmax } from './activations.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(x: Tensor, reduction: Reduction, op: string): Tensor {
  if (reduction === 'mean') return x.mean();
  if (reduction === 'sum') return x.sum();
  if (reduction === 'none') return x;
  throw new RangeError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
}

function sameShape(a: Tensor, b: Tensor, op: string): void {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError(`${op}: input and target must be Tensors`);
  if (!shapeEq(a.shape, b.shape)) {
    throw new RangeError(`${op}: input of shape ${fmtShape(a.shape)} and target of shape ${fmtShape(b.shape)} must have the same shape`);
  }
}

/** Mean squared error: mean((ŷ − y)²). */
export function mse(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShape(input, target, 'mse');
  const d = input.sub(target);
  return reduce(d.mul(d), reduction, 'mse');
}

/** Mean absolute error (L1): mean|ŷ − y|. */
export function mae(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShape(input, target, 'mae');
  return reduce(input.sub(target).abs(), reduction, 'mae');
}
export const l1 = mae;

/** Huber: ½d² for |d| < δ, else δ(|d| − ½δ). */
export function huber(input: Tensor, target: Tensor, delta = 1, reduction: Reduction = 'mean'): Tensor {
  sameShape(input, target, 'huber');
  if (!(delta > 0)) throw new RangeError(`huber: delta must be positive, got ${delta}`);
  const d = input.sub(target);
  const a = d.abs();
  return reduce(where(a.lt(delta), d.mul(d).mul(0.5), a.sub(0.5 * delta).mul(delta)), reduction, 'huber');
}

/**
 * max(log u, −100) where `inRange` holds, −100 elsewhere. The log only ever sees safe values (1
 * outside the range), so a clamped entry gets a zero gradient instead of 0·∞ = NaN.
 */
function clampedLog(u: Tensor, inRange: Tensor, safe: number, log: (v: Tensor) => Tensor): Tensor {
  return where(inRange, log(where(inRange, u, safe)).maximum(-100), -100);
}

/**
 * Binary cross-entropy of probabilities: −[y log p + (1 − y) log(1 − p)], logs clamped at −100 as
 * torch. The gradient is that of the clamped expression: a clamped log contributes nothing (so it
 * stays finite at p = 0 and p = 1, where torch instead divides by max(p(1 − p), 1e-12)).
 */
export function bce(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShape(input, target, 'bce');
  // An effect, so a compiled step checks every batch too.
  effect(() => {
    for (const v of input.data) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`bce: input probabilities must lie in [0, 1], got ${v}`);
    }
  });
  const logP = clampedLog(input, input.gt(0), 1, (p) => p.log());
  const log1mP = clampedLog(input, input.lt(1), 0, (p) => p.neg().log1p());
  return reduce(target.mul(logP).add(target.neg().add(1).mul(log1mP)).neg(), reduction, 'bce');
}

/** BCE from logits, stable: max(x, 0) − x·y + log(1 + e^{−|x|}). */
export function bceWithLogits(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShape(input, target, 'bceWithLogits');
  const l = input.maximum(0).sub(input.mul(target)).add(input.abs().neg().exp().log1p());
  return reduce(l, reduction, 'bceWithLogits');
}

/** Class labels: a tensor of integral values, an Int32Array or an array of integers. */
export type Labels = Tensor | Int32Array | readonly number[];

/** Labels as an [N, 1] index tensor, after checking each is an integer class index (checked as given, before any conversion). */
function labelIndex(labels: Labels, n: number, classes: number, op: string): Tensor {
  if (!(labels instanceof Tensor || labels instanceof Int32Array || Array.isArray(labels))) {
    throw new TypeError(`${op}: labels must be a Tensor, an Int32Array or an array of integers`);
  }
  const raw: ArrayLike<number> = labels instanceof Tensor ? labels.data : labels;
  if (raw.length !== n) throw new RangeError(`${op}: ${raw.length} labels for a batch of ${n}`);
  const t = new Tensor(allocShared('float64', n), [n, 1]);
  // An effect: a compiled step copies (and checks) the labels tensor's current values each time.
  effect(() => {
    for (let i = 0; i < raw.length; i++) {
      const k = raw[i]!;
      if (!Number.isInteger(k) || k < 0 || k >= classes) {
        throw new RangeError(`${op}: label ${k} at position ${i} is out of range: expected an integer in [0, ${classes})`);
      }
    }
    t.data.set(raw);
  });
  return t;
}

/** Negative log-likelihood of log-probabilities [N, C] at class labels [N]: −mean log p[label]. */
export function nll(logProbs: Tensor, labels: Labels, reduction: Reduction = 'mean'): Tensor {
  return nllOf(logProbs, labels, reduction, 'nll');
}

/** `nll`, with errors naming the public entry point `op`. */
function nllOf(logProbs: Tensor, labels: Labels, reduction: Reduction, op: string): Tensor {
  if (logProbs.ndim !== 2) throw new RangeError(`${op}: expected log-probabilities of shape [N, C], got ${fmtShape(logProbs.shape)}`);
  const idx = labelIndex(labels, logProbs.shape[0]!, logProbs.shape[1]!, op);
  return reduce(logProbs.gather(1, idx).squeeze(1).neg(), reduction, op);
}

/**
 * Cross-entropy from logits [N, C] (log-softmax fused for stability), with class-index targets
 * ([N] labels) or probability targets ([N, C]), as torch.nn.functional.cross_entropy.
 */
export function crossEntropy(logits: Tensor, target: Labels, reduction: Reduction = 'mean'): Tensor {
  if (logits.ndim !== 2) throw new RangeError(`crossEntropy: expected logits of shape [N, C], got ${fmtShape(logits.shape)}`);
  const logp = logSoftmax(logits, 1);
  if (target instanceof Tensor && target.ndim === 2) {
    sameShape(logits, target, 'crossEntropy');
    return reduce(target.mul(logp).sum(1).neg(), reduction, 'crossEntropy');
  }
  return nllOf(logp, target, reduction, 'crossEntropy');
}

/**
 * Temporal-difference error of Q-learning: δ = r + γ·(1 − done)·max_{u'} Q(x', u') − Q(x, u), with
 * the bootstrap target detached (no gradient flows through it). `q` and `qNext` are [N, actions].
 */
export function tdError(q: Tensor, actions: Labels, reward: Tensor, qNext: Tensor, gamma: number, done?: Tensor): Tensor {
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`tdError: gamma must be in [0, 1], got ${gamma}`);
  if (!shapeEq(q.shape, qNext.shape)) throw new RangeError(`tdError: q ${fmtShape(q.shape)} and qNext ${fmtShape(qNext.shape)} must have the same shape`);
  const n = q.shape[0]!;
  const idx = labelIndex(actions, n, q.shape[1]!, 'tdError');
  const qTaken = q.gather(1, idx).squeeze(1);
  let bootstrap = qNext.detach().max(1).mul(gamma);
  if (done) bootstrap = bootstrap.mul(done.detach().neg().add(1));
  return reward.detach().reshape([n]).add(bootstrap).sub(qTaken);
}
