export { serveViz, type ServeVizOptions, type Viz } from './server.js';
export { vizCallback, summary, type VizCallbackOptions } from './callback.js';
export { RunStore, Run, type RunInfo, type RunSink, type RunRecorder } from './store.js';
export { StepSeries, type SeriesLimits } from './series.js';
export { binValues } from './histogram.js';
export { SseHub, SseClient, STALL_MS, type ClientStats } from './sse.js';
export { allowedHosts, needsToken } from './guard.js';
export type { Bins, LayerSummary, ParamHistogram, Recorded, RunConfig, RunState, VizEvent } from './types.js';
