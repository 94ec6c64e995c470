import type { Tensor } from '../tensor.js';
import { Module, type ModuleSpec, moduleFromSpec, registerModuleType } from './module.js';

/** Applies its modules in order; they are named '0', '1', … as in `torch.nn.Sequential`. */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.layers) y = m.forward(y);
    return y;
  }

  spec(): ModuleSpec {
    return { type: 'Sequential', children: this.layers.map((m) => m.spec()) };
  }
}

registerModuleType('Sequential', (s) => new Sequential(...(s.children ?? []).map(moduleFromSpec)));
