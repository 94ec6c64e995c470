export { DataFileError } from './errors.js';
export { loadCsv, parseCsv, CSV_NA_VALUES, type CsvData, type CsvMissing, type CsvMissingCell, type LoadCsvOptions } from './csv.js';
export { loadIdx, parseIdx, type LoadIdxOptions } from './idx.js';
export { loadNpy, parseNpy, saveNpy, encodeNpy, type LoadNpyOptions } from './npy.js';
export { mnist, mnistDigits, MNIST_COUNT, MNIST_PIXELS, type MnistDigits, type MnistOptions, type MnistSplit } from './mnist.js';
