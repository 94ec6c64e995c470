import { parseJobSpec, readSpecFile, formatProblems, buildJob } from './src/spec/index.js';
const dir = 'test/fixtures/spec';
for (const f of ['xor.json', 'mnist-small.yaml', 'csv.yaml']) {
  const s = await readSpecFile(`${dir}/${f}`);
  const r = parseJobSpec(s, { allowedDirs: [dir], baseDir: dir });
  console.log(f, r.ok ? 'OK' : formatProblems(r.problems));
}
const bad = { name: '', modle: {}, model: { layers: [{ type: 'Linaer', args: {} }, { type: 'Linear', args: { inFeatures: 3, outFeatures: 4, x: 1 } }, { type: 'Activation', args: { kind: 'rleu' } }, {type:'Linear', args:{inFeatures: 5, outFeatures: 3}}] },
  data: { source: 'csv', path: 'flowers.csv', label: 'specie', features: ['sepal', 'petl'] }, loss: 'crossEntropy', optimizer: { name: 'sgd', options: { lr: -1, momentun: 0.9, momentum: 1.5 } },
  schedule: { name: 'stepLR', args: [0.1, { stepSize: 0 }] }, epochs: 0, batchSize: 2.5, validationSplit: 1, placement: { kind: 'dataParallel' }, metrics: ['acc'], callbacks: { reduceLROnPlateau: { factor: 2 }, checkpoint: { evrySteps: 3 } }, preprocessing: 'minmx' };
const r = parseJobSpec(bad, { allowedDirs: [dir], baseDir: dir });
console.log(r.ok ? 'OK' : formatProblems(r.problems));
console.log(JSON.stringify(r, null, 1).slice(0, 3000));
