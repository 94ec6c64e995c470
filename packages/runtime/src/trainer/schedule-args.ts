import { z } from 'zod';

/**
 * The positional arguments of each schedule `buildSchedule` knows, as zod tuples, so that a wrong
 * `args` gets "options.schedule.args[1].stepSize is required" instead of a destructuring TypeError
 * from inside optim. Types and keys only: optim's schedules check the ranges themselves.
 */

const NUM = 'a finite number';
const num = () => z.number({ error: NUM });
const int = () => z.number({ error: 'an integer ≥ 1' }).int({ error: 'an integer ≥ 1' });
const bool = () => z.boolean({ error: 'true or false' });
const options = (shape: Record<string, z.ZodType>) => z.strictObject(shape, { error: `an options object {${Object.keys(shape).join(', ')}}` });

interface ScheduleArgs {
  /** How the arguments read, for messages: `[baseLr, {stepSize, gamma?}]`. */
  signature: string;
  schema: z.ZodType;
  /** Position and keys of the options object among the arguments, if it has one. */
  options?: { at: number; keys: readonly string[] };
}

function spec(signature: string, items: z.ZodType[], at?: number): ScheduleArgs {
  const o = at === undefined ? undefined : (items[at] as unknown as z.ZodOptional<z.ZodObject> | z.ZodObject);
  const shape = o === undefined ? undefined : 'unwrap' in o ? (o.unwrap() as z.ZodObject).shape : (o as z.ZodObject).shape;
  return {
    signature,
    schema: z.tuple(items as [z.ZodType, ...z.ZodType[]], { error: `the arguments ${signature}` }),
    ...(shape && at !== undefined && { options: { at, keys: Object.keys(shape) } }),
  };
}

export const SCHEDULE_ARGS: Record<string, ScheduleArgs> = {
  constantSchedule: spec('[lr]', [num()]),
  linearSchedule: spec('[{init, end, steps}]', [options({ init: num(), end: num(), steps: int() })], 0),
  linearLR: spec('[baseLr, {startFactor?, endFactor?, totalIters?}?]', [num(), options({ startFactor: num().optional(), endFactor: num().optional(), totalIters: int().optional() }).optional()], 1),
  stepLR: spec('[baseLr, {stepSize, gamma?}]', [num(), options({ stepSize: int(), gamma: num().optional() })], 1),
  multiStepLR: spec('[baseLr, {milestones, gamma?}]', [num(), options({ milestones: z.array(int(), { error: 'an array of steps' }), gamma: num().optional() })], 1),
  exponentialLR: spec('[baseLr, gamma]', [num(), num()]),
  cosineAnnealingLR: spec('[baseLr, {tMax, etaMin?}]', [num(), options({ tMax: int(), etaMin: num().optional() })], 1),
  cosineAnnealingWarmRestarts: spec('[baseLr, {t0, tMult?, etaMin?}]', [num(), options({ t0: int(), tMult: int().optional(), etaMin: num().optional() })], 1),
  linearWarmup: spec('[schedule, warmupSteps, startFactor?]', [z.custom((v) => v !== null && typeof v === 'object', { error: 'a schedule {name, args}' }), int(), num().optional()]),
  oneCycleLR: spec(
    '[{maxLr, totalSteps, pctStart?, divFactor?, finalDivFactor?, annealStrategy?, threePhase?, cycleMomentum?, baseMomentum?, maxMomentum?}]',
    [
      options({
        maxLr: num(),
        totalSteps: int(),
        pctStart: num().optional(),
        divFactor: num().optional(),
        finalDivFactor: num().optional(),
        annealStrategy: z.enum(['cos', 'linear'], { error: "'cos' or 'linear'" }).optional(),
        threePhase: bool().optional(),
        cycleMomentum: bool().optional(),
        baseMomentum: num().optional(),
        maxMomentum: num().optional(),
      }),
    ],
    0,
  ),
};
