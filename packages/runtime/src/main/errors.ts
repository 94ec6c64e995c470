/** A step whose loss or gradient norm is NaN or infinite; raised before the parameters change. */
export class NonFiniteError extends Error {
  constructor(
    readonly step: number,
    readonly what: 'loss' | 'gradient norm',
    readonly value: number,
  ) {
    super(`step ${step}: the ${what} is ${value}; the parameters were left as they were after step ${step - 1}`);
    this.name = 'NonFiniteError';
  }
}

/** An error of one actor message: names the actor and the message. */
export class ActorError extends Error {
  constructor(
    readonly actor: string,
    readonly op: string,
    readonly shard: number | null,
    detail: string,
  ) {
    super(`actor ${actor} failed on ${op}${shard === null ? '' : ` (shard ${shard})`}: ${detail}`);
    this.name = 'ActorError';
  }
}
