import { Rng, kernels, nn } from '@actorgrad/core';
import { mnist } from '@actorgrad/io';
import { type Callback, Trainer, dataParallel } from '@actorgrad/runtime';

export interface MnistOptions {
  epochs?: number;
  train?: number;
  test?: number;
  seed?: number;
  threads?: number;
  log?: (line: string) => void;
  quiet?: boolean;
  /** More callbacks for the fit (the live view's, with `--viz`). */
  callbacks?: Callback[];
}

/** Which GEMM kernel the threads run (the demo script starts Node with relaxed SIMD: FMA where the CPU has it). */
function kernelLine(): string {
  const k = kernels.kernelChoice();
  if (k.kernel === 'js') return 'kernels: JavaScript (no WebAssembly SIMD here)';
  return `kernels: WebAssembly SIMD, ${k.kernel}${k.kernel === 'fast' ? (k.fma ? ' with fused multiply-add (relaxed SIMD)' : ', multiply then add (no relaxed SIMD: Node 20 needs --experimental-wasm-relaxed-simd)') : ''}`;
}

/**
 * The README's main job: a 784-256-128-10 ReLU network trained with Adam (lr 1e-3, batch 128) on
 * 8 000 real MNIST digits for 10 epochs with data-parallel placement, then tested on the other 2 000.
 */
export async function runMnist(o: MnistOptions = {}): Promise<{ testAccuracy: number; testLoss: number; seconds: number }> {
  const log = o.log ?? console.log;
  const seed = o.seed ?? 0;
  const t0 = performance.now();
  const d = mnist({ train: o.train ?? 8000, test: o.test ?? 2000, seed });
  log(`MNIST: ${d.xTrain.shape[0]} training digits, ${d.xTest.shape[0]} test digits (${((performance.now() - t0) / 1000).toFixed(1)} s to load)`);
  const rng = new Rng(seed);
  const model = new nn.Sequential(
    new nn.Linear(784, 256, { rng }),
    nn.ReLU(),
    new nn.Linear(256, 128, { rng }),
    nn.ReLU(),
    new nn.Linear(128, 10, { rng }),
  );
  const trainer = new Trainer();
  trainer.events$.subscribe((e) => {
    if (e.type === 'placement') log(`placement: ${e.placement} (${e.replicas} replicas, ${e.shards} shards, ${e.threads} threads); ${kernelLine()}`);
  });
  await trainer.fit(model, { x: d.xTrain, y: d.yTrain }, {
    loss: 'crossEntropy',
    optimizer: { name: 'adam', options: { lr: 1e-3 } },
    epochs: o.epochs ?? 10,
    batchSize: 128,
    metrics: ['accuracy'],
    placement: dataParallel({ replicas: o.threads ?? 2, threads: o.threads ?? 2 }),
    seed,
    verbose: o.quiet ? 0 : 'auto',
    callbacks: o.callbacks ?? [],
  });
  const r = trainer.evaluate(model, { x: d.xTest, y: d.yTest }, { loss: 'crossEntropy', metrics: ['accuracy'] });
  const seconds = (performance.now() - t0) / 1000;
  log(`test accuracy ${(100 * r.accuracy!).toFixed(2)}% (loss ${r.loss!.toFixed(4)}) on ${d.xTest.shape[0]} held-out digits, ${seconds.toFixed(1)} s in all`);
  return { testAccuracy: r.accuracy!, testLoss: r.loss!, seconds };
}
