/** Everything the runtime reports, as one typed stream (`engine.events$`). */
export type EngineEvent =
  | { type: 'placement'; placement: string; shards: number; replicas: number; threads: number; reason: string }
  | { type: 'step'; step: number; loss: number; lr: number; gradNorm: number; samples: number; samplesPerSec: number; ms: number }
  | { type: 'actors'; step: number; actors: ActorStats[] }
  | { type: 'message'; step: number; actor: string; op: string; shard: number | null }
  | { type: 'warning'; step: number; message: string }
  | { type: 'run'; phase: 'start' | 'end'; epochs: number; stepsPerEpoch: number; reason?: string }
  | { type: 'epoch'; epoch: number; step: number; logs: Record<string, number> }
  | { type: 'checkpoint'; epoch: number; step: number; path: string; reason: string }
  | { type: 'nonfinite'; step: number; what: string; value: number }
  | { type: 'error'; step: number; message: string };

export interface ActorStats {
  name: string;
  busyMicros: number;
  messages: number;
  queueDepth: number;
}
