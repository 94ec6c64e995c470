import { maxout } from '../functional/activations.js';
import type { Tensor } from '../tensor.js';
import { Module, type ModuleSpec, registerModuleType } from './module.js';

/** Maxout over groups of `pieces` consecutive units of the last axis (pair it with a Linear of k·pieces outputs). */
export class Maxout extends Module {
  constructor(readonly pieces: number) {
    super();
    if (!Number.isInteger(pieces) || pieces < 1) throw new RangeError(`Maxout: pieces must be a positive integer, got ${pieces}`);
  }

  forward(x: Tensor): Tensor {
    return maxout(x, this.pieces, -1);
  }

  spec(): ModuleSpec {
    return { type: 'Maxout', args: { pieces: this.pieces } };
  }
}

registerModuleType('Maxout', (s) => new Maxout(s.args?.pieces as number));

/** Flattens all axes after the first: [N, ...] → [N, ∏...]. */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return x.reshape([x.shape[0]!, -1]);
  }

  spec(): ModuleSpec {
    return { type: 'Flatten' };
  }
}

registerModuleType('Flatten', () => new Flatten());
