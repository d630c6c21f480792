import { Acknowledged, ApiError, api, query, type Rep, Reps, ResponseTimes } from '../api.ts';
import { type Ctx, duration } from '../context.ts';
import { h } from '../dom.ts';

/** Reps: who is available, their load, and how fast they answer; pause and resume with a reason. */
export async function reps(ctx: Ctx, root: HTMLElement): Promise<void> {
  const { t, f } = ctx;
  const [roster, times] = await Promise.all([
    api(Reps, '/reps'),
    api(ResponseTimes, `/kpi/response-time${query({ groupBy: 'rep' })}`),
  ]);
  const byRep = new Map(times.groups.map((g) => [g.group, g]));
  const change = async (rep: Rep, action: 'pause' | 'resume', reason?: string) => {
    try {
      await api(Acknowledged, `/reps/${encodeURIComponent(rep.id)}/${action}`, {
        method: 'POST',
        body: { by: 'dashboard', ...(reason ? { reason } : {}) },
      });
      ctx.announce(t('done'));
      await reps(ctx, root);
    } catch (error) {
      ctx.announce(error instanceof ApiError ? error.message : t('error'));
    }
  };
  root.replaceChildren(
    h('h1', {}, t('reps')),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'grid', id: 'rep-list' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              t('rep'),
              t('availability'),
              t('openLeads'),
              t('leadsToday'),
              t('contacted'),
              t('firstContactP50'),
              t('firstContactP90'),
              t('slaMet'),
              t('actions'),
            ].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          ...roster.reps.map((rep) => {
            const rt = byRep.get(rep.id);
            const reason = h('input', {
              'aria-label': `${t('pauseReason')} (${rep.name})`,
              maxlength: 200,
              size: 12,
            });
            return h(
              'tr',
              { 'data-rep': rep.id },
              h('th', { scope: 'row' }, rep.name),
              h(
                'td',
                {},
                rep.active
                  ? t('available')
                  : `${t('paused')}${rep.pausedReason ? ` · ${rep.pausedReason}` : ''}`,
              ),
              h('td', { class: 'num' }, f.integer(rep.openLeads)),
              h('td', { class: 'num' }, f.integer(rep.leadsToday ?? 0)),
              h('td', { class: 'num' }, f.integer(rt?.contacted ?? 0)),
              h('td', {}, duration(ctx, rt?.p50Minutes ?? null)),
              h('td', {}, duration(ctx, rt?.p90Minutes ?? null)),
              h('td', {}, rt?.slaMetPercent == null ? '—' : f.percent(rt.slaMetPercent)),
              h(
                'td',
                {},
                rep.active
                  ? h(
                      'span',
                      { class: 'actions' },
                      reason,
                      h(
                        'button',
                        {
                          type: 'button',
                          onclick: () => void change(rep, 'pause', (reason as HTMLInputElement).value),
                        },
                        t('pause'),
                      ),
                    )
                  : h('button', { type: 'button', onclick: () => void change(rep, 'resume') }, t('resume')),
              ),
            );
          }),
        ),
      ),
    ),
  );
}
