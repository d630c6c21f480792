import { readFileSync } from 'node:fs';
import type { Config } from '../functions/shared/config.ts';
import { parseConfig } from '../functions/shared/config-text.ts';

/** The demo config as `npm start` runs it. */
export function demoConfig(): Config {
  return parseConfig(readFileSync('leadpipe.config.yaml', 'utf8'));
}

/**
 * The demo config with its reps on duty around the clock, for the phases that run leads through the pipeline.
 * A lead assigned in working hours has its SLA reminder due within 15 minutes (straight to the timer queue); one
 * assigned after hours, the next working morning (the due index, and a sweep later). With the demo's hours a
 * run's writes, sends and routing would depend on the hour it started at, in Riyadh, Tehran and Dubai.
 */
export function aroundTheClockConfig(): Config {
  const config = demoConfig();
  return { ...config, routing: { ...config.routing, reps: aroundTheClock(config.routing.reps) } };
}

/** Reps without working hours: their clocks run on wall time. */
export function aroundTheClock(reps: Config['routing']['reps']): Config['routing']['reps'] {
  return reps.map(({ workingHours: _hours, ...rep }) => rep);
}
