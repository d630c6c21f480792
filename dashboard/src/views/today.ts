import { Acknowledged, Agenda, ApiError, api, query, Reps } from '../api.ts';
import type { Ctx } from '../context.ts';
import { h } from '../dom.ts';

/**
 * "My day": a rep's planned calls, meetings and emails, overdue first (the agenda is in due order), each with
 * its lead and a Done button. A manager picks whose day; a rep sees their own.
 */
export async function today(ctx: Ctx, root: HTMLElement): Promise<void> {
  const { t, f } = ctx;
  const roster = (await api(Reps, '/reps')).reps;
  const chosen = { ownerId: roster[0]?.id ?? '', due: 'today' };
  const list = h('ol', { class: 'agenda', id: 'agenda' });

  async function load(): Promise<void> {
    if (chosen.ownerId === '') {
      list.replaceChildren(h('li', {}, t('nothingDue')));
      return;
    }
    const agenda = await api(Agenda, `/tasks${query(chosen)}`);
    list.replaceChildren(
      ...(agenda.tasks.length === 0
        ? [h('li', {}, t('nothingDue'))]
        : agenda.tasks.map((task) =>
            h(
              'li',
              { 'data-task': task.id, ...(task.overdue ? { class: 'overdue' } : {}) },
              h('time', { datetime: task.dueAt }, f.dateTime(task.dueAt)),
              ' ',
              h('strong', {}, t(`task.${task.type}`)),
              ' ',
              h(
                'a',
                { href: `#/leads/${encodeURIComponent(task.leadId)}` },
                task.leadName ?? task.leadId.slice(0, 8),
              ),
              task.overdue ? h('span', { class: 'badge overdue' }, t('overdue')) : null,
              task.note ? h('span', {}, ` · ${task.note}`) : null,
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  onclick: async () => {
                    try {
                      await api(
                        Acknowledged,
                        `/leads/${encodeURIComponent(task.leadId)}/tasks/${task.id}/done`,
                        {
                          method: 'POST',
                          body: { by: 'dashboard' },
                        },
                      );
                      ctx.announce(t('done'));
                      await load();
                    } catch (error) {
                      ctx.announce(error instanceof ApiError ? error.message : t('error'));
                    }
                  },
                },
                t('markDone'),
              ),
            ),
          )),
    );
  }

  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void load();
      },
    },
    roster.length > 1
      ? h(
          'label',
          {},
          t('rep'),
          h(
            'select',
            {
              name: 'ownerId',
              onchange: (e: Event) => (chosen.ownerId = (e.target as HTMLSelectElement).value),
            },
            ...roster.map((r) => h('option', { value: r.id }, r.name)),
          ),
        )
      : null,
    h(
      'label',
      {},
      t('dueAt'),
      h(
        'select',
        { name: 'due', onchange: (e: Event) => (chosen.due = (e.target as HTMLSelectElement).value) },
        h('option', { value: 'today', selected: true }, t('today')),
        h('option', { value: 'overdue' }, t('overdue')),
        h('option', { value: 'week' }, `7 ${t('days')}`),
      ),
    ),
    h('button', { type: 'submit' }, t('apply')),
  );
  root.replaceChildren(h('h1', {}, t('today')), form, list);
  await load();
}
