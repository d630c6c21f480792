import { footprint as ingest } from './ingest/footprint.ts';
import { footprint as nurture } from './nurture/footprint.ts';
import { footprint as ops } from './ops/footprint.ts';
import { footprint as reconcile } from './reconcile/footprint.ts';
import { footprint as routing } from './routing/footprint.ts';
import { footprint as scoring } from './scoring/footprint.ts';
import type { Footprint } from './shared/footprint.ts';
import { footprint as sweeper } from './sweeper/footprint.ts';

export type FunctionName = 'ingest' | 'scoring' | 'routing' | 'nurture' | 'sweeper' | 'reconcile' | 'ops';

/** Every function's footprint, by the folder that holds it. */
export const FOOTPRINTS: Record<FunctionName, Footprint> = {
  ingest,
  scoring,
  routing,
  nurture,
  sweeper,
  reconcile,
  ops,
};
