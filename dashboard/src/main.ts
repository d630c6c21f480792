import { ApiError } from './api.ts';
import { ensureSignedIn } from './auth.ts';
import type { Ctx } from './context.ts';
import { h } from './dom.ts';
import { type Calendar, formatters, type Viewpoint } from './format.ts';
import { directionOf, isLang, LANGS, type Lang, translator } from './i18n.ts';
import { importPage } from './views/import.ts';
import { leadView } from './views/lead.ts';
import { leads } from './views/leads.ts';
import { overview } from './views/overview.ts';
import { reps } from './views/reps.ts';
import { roiPage } from './views/roi.ts';
import { today } from './views/today.ts';

const LANG_NAMES: Record<Lang, string> = { en: 'English', ar: 'العربية', fa: 'فارسی' };
const STORE = 'leadpipe.dashboard';

/** The viewer's choices, kept in this browser; the first visit follows the browser's language and zone. */
function loadViewpoint(): Viewpoint {
  const saved = JSON.parse(localStorage.getItem(STORE) ?? '{}') as Partial<Viewpoint>;
  const browser = navigator.language.slice(0, 2);
  const lang: Lang = isLang(saved.lang) ? saved.lang : isLang(browser) ? browser : 'en';
  const calendar: Calendar =
    saved.calendar === 'persian' || saved.calendar === 'gregory'
      ? saved.calendar
      : lang === 'fa'
        ? 'persian'
        : 'gregory';
  const timeZone = saved.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return { lang, calendar, timeZone };
}

let view = loadViewpoint();
let current: AbortController | undefined;

function header(ctx: Ctx): HTMLElement {
  const { t } = ctx;
  const save = (patch: Partial<Viewpoint>) => {
    view = { ...view, ...patch };
    localStorage.setItem(STORE, JSON.stringify(view));
    void render();
  };
  const route = location.hash.split('/')[1] ?? 'overview';
  const link = (path: string, label: string) =>
    h('a', { href: `#/${path}`, ...(route === path ? { 'aria-current': 'page' } : {}) }, label);
  return h(
    'header',
    {},
    h('a', { class: 'brand', href: '#/overview' }, t('title')),
    h(
      'nav',
      { 'aria-label': t('title') },
      link('overview', t('overview')),
      link('today', t('today')),
      link('leads', t('leads')),
      link('reps', t('reps')),
      link('roi', t('roi')),
      link('import', t('import')),
    ),
    h(
      'div',
      { class: 'prefs' },
      h(
        'label',
        {},
        t('language'),
        h(
          'select',
          {
            id: 'lang',
            onchange: (e: Event) => save({ lang: (e.target as HTMLSelectElement).value as Lang }),
          },
          ...LANGS.map((l) => h('option', { value: l, lang: l, selected: l === view.lang }, LANG_NAMES[l])),
        ),
      ),
      h(
        'label',
        {},
        t('calendar'),
        h(
          'select',
          {
            id: 'calendar',
            onchange: (e: Event) => save({ calendar: (e.target as HTMLSelectElement).value as Calendar }),
          },
          h('option', { value: 'gregory', selected: view.calendar === 'gregory' }, t('gregorian')),
          h('option', { value: 'persian', selected: view.calendar === 'persian' }, t('persian')),
        ),
      ),
      h(
        'label',
        {},
        t('timeZone'),
        h('input', {
          id: 'time-zone',
          value: view.timeZone,
          size: 16,
          onchange: (e: Event) => {
            const zone = (e.target as HTMLInputElement).value;
            try {
              new Intl.DateTimeFormat('en', { timeZone: zone });
              save({ timeZone: zone });
            } catch {
              (e.target as HTMLInputElement).setCustomValidity('?');
            }
          },
        }),
      ),
    ),
  );
}

async function render(): Promise<void> {
  current?.abort();
  current = new AbortController();
  const { lang } = view;
  document.documentElement.lang = lang;
  document.documentElement.dir = directionOf(lang);
  const status = h('p', { class: 'announce', role: 'status', 'aria-live': 'polite' });
  const ctx: Ctx = {
    t: translator(lang),
    f: formatters(view),
    view,
    rtl: directionOf(lang) === 'rtl',
    announce: (message) => {
      status.textContent = message;
    },
  };
  document.title = ctx.t('title');
  const main = h('main', { id: 'main', tabindex: -1 });
  const app = document.getElementById('app');
  if (app === null) return;
  app.replaceChildren(header(ctx), status, main);
  const [, page = 'overview', id] = location.hash.split('/');
  try {
    if (page === 'leads' && id) await leadView(ctx, main, decodeURIComponent(id));
    else if (page === 'leads') await leads(ctx, main, current.signal);
    else if (page === 'reps') await reps(ctx, main);
    else if (page === 'today') await today(ctx, main);
    else if (page === 'import') await importPage(ctx, main);
    else if (page === 'roi') await roiPage(ctx, main);
    else await overview(ctx, main);
    main.setAttribute('data-ready', 'true');
  } catch (error) {
    main.replaceChildren(
      h('h1', {}, ctx.t('error')),
      h('p', { role: 'alert' }, error instanceof ApiError ? error.message : String(error)),
    );
  }
}

window.addEventListener('hashchange', () => void render());
void ensureSignedIn().then(render);
