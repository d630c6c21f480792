import { ApiError, api, IMPORT_MAX_BYTES, ImportView, uploadImport } from '../api.ts';
import type { Ctx } from '../context.ts';
import { h } from '../dom.ts';
import { refusalLabel } from '../i18n.ts';

/** A list's name as the API takes it: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
const SOURCE_PATTERN = '[\\p{L}\\p{N}][\\p{L}\\p{N}._\\-]{0,63}';

/**
 * A manager imports a spreadsheet: the file goes up as it is, then the page follows the import until every row
 * has been stored, and shows what became of each (new, merged, refused with its row and reason).
 */
export async function importPage(ctx: Ctx, root: HTMLElement): Promise<void> {
  const { t, f } = ctx;
  const file = h('input', {
    id: 'import-file',
    type: 'file',
    accept: '.csv,.tsv,.txt,text/csv,text/tab-separated-values',
    required: true,
  }) as HTMLInputElement;
  const source = h('input', {
    id: 'import-source',
    required: true,
    pattern: SOURCE_PATTERN,
    maxlength: 64,
    placeholder: 'expo-riyadh-2026',
  }) as HTMLInputElement;
  const route = h('input', { id: 'import-route', type: 'checkbox', checked: true }) as HTMLInputElement;
  const encoding = h(
    'select',
    { id: 'import-encoding' },
    h('option', { value: '' }, t('encodingAuto')),
    h('option', { value: 'windows-1256' }, t('encodingArabicWindows')),
  ) as HTMLSelectElement;
  const submit = h('button', { type: 'submit' }, t('importStart')) as HTMLButtonElement;
  const result = h('section', { id: 'import-result', 'aria-live': 'polite' });

  function show(view: ImportView): void {
    const figures: [string, number][] = [
      [t('import.rows'), view.rows],
      [t('import.created'), view.created],
      [t('import.merged'), view.merged],
      [t('import.refused'), view.refusedCount],
      ...(view.pending > 0 ? ([[t('import.pending'), view.pending]] as [string, number][]) : []),
    ];
    result.replaceChildren(
      h(
        'dl',
        { class: 'figures' },
        ...figures.flatMap(([label, n]) => [h('dt', {}, label), h('dd', {}, f.integer(n))]),
      ),
      ...(view.refused.length > 0
        ? [
            h(
              'table',
              { id: 'import-refused' },
              h(
                'thead',
                {},
                h('tr', {}, h('th', { scope: 'col' }, t('row')), h('th', { scope: 'col' }, t('reason'))),
              ),
              h(
                'tbody',
                {},
                ...view.refused.map((r) =>
                  h('tr', {}, h('td', {}, f.integer(r.row)), h('td', {}, refusalLabel(t, r.code, r.reason))),
                ),
              ),
            ),
          ]
        : []),
      ...(view.interrupted ? [h('p', { role: 'alert' }, view.interrupted)] : []),
    );
  }

  async function run(): Promise<void> {
    const chosen = file.files?.[0];
    if (chosen === undefined) return;
    if (chosen.size > IMPORT_MAX_BYTES) {
      result.replaceChildren(h('p', { role: 'alert' }, t('importTooLarge')));
      return;
    }
    submit.disabled = true;
    ctx.announce(t('importing'));
    try {
      const id = await uploadImport(chosen, {
        source: source.value.trim(),
        fileName: chosen.name,
        route: route.checked ? undefined : 'false',
        encoding: encoding.value || undefined,
      });
      let view = await api(ImportView, `/imports/${id}`);
      for (let polls = 0; view.status === 'importing' && polls < 600; polls++) {
        show(view);
        await new Promise((r) => setTimeout(r, 500));
        view = await api(ImportView, `/imports/${id}`);
      }
      show(view);
      result.setAttribute('data-status', view.status);
      ctx.announce(`${t('import.created')}: ${f.integer(view.created)}`);
    } catch (error) {
      result.replaceChildren(
        h('p', { role: 'alert' }, error instanceof ApiError ? error.message : t('error')),
      );
    } finally {
      submit.disabled = false;
    }
  }

  root.replaceChildren(
    h('h1', {}, t('importTitle')),
    h('p', {}, t('importHelp')),
    h(
      'form',
      {
        id: 'import-form',
        class: 'filters',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void run();
        },
      },
      h('label', {}, t('importFile'), file),
      h('label', {}, t('importSource'), source),
      h('label', {}, t('importEncoding'), encoding),
      h('label', {}, route, t('importRoute')),
      submit,
    ),
    result,
  );
}
