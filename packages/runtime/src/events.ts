/** Everything the runtime reports, as one typed stream (`engine.events$`). */
export type EngineEvent =
  | { type: 'placement'; placement: string; shards: number; replicas: number; threads: number; reason: string }
  | { type: 'step'; step: number; loss: number; lr: number; gradNorm: number; samples: number; samplesPerSec: number; ms: number }
  | { type: 'actors'; step: number; actors: ActorStats[] }
  | { type: 'message'; step: number; actor: string; op: string; shard: number | null }
  | { type: 'warning'; step: number; message: string }
  | { type: 'error'; step: number; message: string };

export interface ActorStats {
  name: string;
  busyMicros: number;
  messages: number;
  queueDepth: number;
}
