import { Tensor, type TensorHandle } from '@actorgrad/core';

/**
 * A tensor's handle, made once per tensor: a route refers to the same tensors many times (a
 * layer's output is the next layer's input, parameters appear in forward and backward), and the
 * structured clone sends an object referred to twice only once — the messages get ≈ 2× cheaper.
 */
const handles = new WeakMap<Tensor, TensorHandle>();
export const handle = (t: Tensor): TensorHandle => {
  let h = handles.get(t);
  if (!h) {
    h = t.handle();
    handles.set(t, h);
  }
  return h;
};

/** The handle of elements [lo, hi) of a tensor (an optimiser chunk), made once per tensor and range. */
const chunkHandles = new WeakMap<Tensor, Map<number, TensorHandle>>();
export const chunkHandle = (t: Tensor, lo: number, hi: number): TensorHandle => {
  let byLo = chunkHandles.get(t);
  if (!byLo) {
    byLo = new Map();
    chunkHandles.set(t, byLo);
  }
  let h = byLo.get(lo);
  if (!h || h.shape[0] !== hi - lo) {
    h = new Tensor(t.data.subarray(lo, hi), [hi - lo]).handle();
    byLo.set(lo, h);
  }
  return h;
};

/** A view of rows [start, end) of a row-major tensor, without copying. */
export function rows(t: Tensor, start: number, end: number): Tensor {
  const per = t.size / t.shape[0]!;
  return new Tensor(t.data.subarray(start * per, end * per), [end - start, ...t.shape.slice(1)]);
}
