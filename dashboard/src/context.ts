import type { Formatters, Viewpoint } from './format.ts';
import type { MessageKey } from './i18n.ts';

/** What every view needs: words, formats, the viewer's choices and the page direction. */
export type Ctx = {
  t: (key: MessageKey) => string;
  f: Formatters;
  view: Viewpoint;
  rtl: boolean;
  /** Shows a message in the page's live region (read out by screen readers). */
  announce: (message: string) => void;
};

/** A duration in the viewer's units. */
export function duration(ctx: Ctx, minutes: number | null): string {
  if (minutes === null) return '—';
  return ctx.f.minutes(minutes, { minutes: ctx.t('minutes'), hours: ctx.t('hours'), days: ctx.t('days') });
}
