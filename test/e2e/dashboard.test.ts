import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline } from '../../local/pipeline.ts';
import { readSpendFile } from '../../scripts/spend-report.ts';
import { eventually, TEST_QUEUE_VISIBILITY_SECONDS, testEmulators } from '../support/aws.ts';
import { testConfig } from '../support/factories.ts';

// Screenshots for people to look at, never committed (.leadpipe is ignored).
const ARTIFACTS = '.leadpipe/artifacts';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let pipeline: Pipeline;
let browser: Browser;
const posted: string[] = [];

async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${pipeline.url}${path}`, {
    ...(body
      ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  return (await response.json()) as T;
}

type Rt = { groups: { group: string; contacted: number }[] };
const contactedCount = async () => (await api<Rt>('/v1/kpi/response-time')).groups[0]?.contacted ?? 0;

async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`${pipeline.url}/dashboard${hash}`);
  await page.waitForSelector('main[data-ready="true"]');
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is needed at ${CHROMIUM} for the dashboard tests: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  pipeline = await startPipeline({
    // SMS first for the assignment, where no rep has a number yet: the timeline says it was skipped.
    config: testConfig({
      notifications: { routes: { assignment: ['sms', 'email'] }, sms: { originationIdentity: 'leadpipe' } },
    }),
    emulators: testEmulators(),
    queueVisibilitySeconds: TEST_QUEUE_VISIBILITY_SECONDS,
    prefix: `t-ui-${Date.now().toString(36)}`,
    onError: () => undefined,
  });
  for (let i = 0; i < 4; i++) {
    const { leadId } = await api<{ leadId: string }>('/v1/forms/demo/leads', {
      name: i === 0 ? 'سارا <b>احمدی</b>' : `UI Person ${i}`,
      email: `ui.${Date.now()}.${i}@example.com`,
    });
    posted.push(leadId);
  }
  await eventually('the leads assigned', async () => {
    const page = await api<{ leads: { ownerId?: string }[] }>('/v1/leads?limit=100');
    return page.leads.filter((l) => l.ownerId).length === posted.length ? true : undefined;
  });
  // One lead was contacted before anyone opened the dashboard.
  await api(`/v1/leads/${posted[1]}/events`, { type: 'contacted', by: 'test' });
  await eventually('the first contact counted', async () =>
    (await contactedCount()) === 1 ? true : undefined,
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // This machine's network is closed: without these Chromium keeps trying Google's hosts.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pipeline?.stop();
});

describe('the dashboard in a real browser', () => {
  it('shows the speed-to-lead figures and the funnel from the leads posted', async () => {
    const page = await browser.newPage({ locale: 'en-GB', timezoneId: 'Asia/Riyadh' });
    await open(page, '#/overview');
    expect(await page.textContent('[data-figure="contacted"] .card-value')).toBe('1');
    expect(await page.textContent('[data-figure="sla-met"] .card-value')).toBe('100%');
    const funnelRow = page.locator('table.grid').first().locator('tr', { hasText: 'web-form' });
    expect(await funnelRow.locator('td').first().textContent()).toBe(String(posted.length));
    // The 0–5 minute band holds the one contact.
    expect(await page.locator('svg.chart rect[data-value="1"]').count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/overview-en.png`, fullPage: true });
    await page.close();
  });

  it('acts on a lead from its page, and the overview counts it', async () => {
    const page = await browser.newPage({ locale: 'en-GB' });
    await open(page, '#/leads');
    expect(await page.locator('#lead-list tbody tr').count()).toBe(posted.length);
    // A name with markup in it is shown as text, not run as HTML.
    expect(await page.locator('#lead-list b').count()).toBe(0);
    await page.click(`#lead-list tr[data-lead="${posted[2]}"] a`);
    await page.waitForSelector('main[data-ready="true"] [data-action="contacted"]');
    await page.click('[data-action="contacted"]');
    await page.waitForSelector('[data-status="contacted"]');
    expect(await page.textContent('.timeline')).toContain('Status changed: Contacted');
    // Which channels told the rep, and why one did not.
    const timeline = await page.textContent('.timeline');
    expect(timeline).toMatch(/Message: SMSrep:\w+ · skipped · no SMS number/);
    expect(timeline).toMatch(/Message: emailrep:\w+ · sent/);
    await eventually('the KPI to count it', async () => ((await contactedCount()) === 2 ? true : undefined));
    await open(page, '#/overview');
    expect(await page.textContent('[data-figure="contacted"] .card-value')).toBe('2');
    await page.close();
  });

  it('pauses a rep with a reason and resumes them from the reps page', async () => {
    const page = await browser.newPage({ locale: 'en-GB' });
    await open(page, '#/reps');
    const row = page.locator('#rep-list tr[data-rep="omid"]');
    await row.locator('input').fill('on leave');
    await row.locator('button', { hasText: 'Pause' }).click();
    await page.waitForSelector('#rep-list tr[data-rep="omid"] >> text=Paused · on leave');
    const roster = await api<{ reps: { id: string; active: boolean; pausedReason?: string }[] }>('/v1/reps');
    expect(roster.reps.find((r) => r.id === 'omid')).toMatchObject({
      active: false,
      pausedReason: 'on leave',
    });
    await page.locator('#rep-list tr[data-rep="omid"] button', { hasText: 'Resume' }).click();
    await page.waitForSelector('#rep-list tr[data-rep="omid"] >> text=Available');
    await page.close();
  });

  it('lays Arabic and Persian out right to left, with their digits and the Solar Hijri calendar', async () => {
    const page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1200, height: 900 } });
    await open(page, '#/overview');
    await page.selectOption('#lang', 'ar');
    await page.waitForSelector('html[dir="rtl"][lang="ar"] main[data-ready="true"]');
    // The brand sits at the right edge and the navigation reads from the right.
    const brand = await page.locator('header .brand').boundingBox();
    expect((brand?.x ?? 0) + (brand?.width ?? 0)).toBeGreaterThan(1100);
    expect(await page.textContent('[data-figure="contacted"] .card-value')).toBe('٢');
    await page.screenshot({ path: `${ARTIFACTS}/overview-ar.png`, fullPage: true });

    await page.selectOption('#lang', 'fa');
    await page.waitForSelector('html[dir="rtl"][lang="fa"] main[data-ready="true"]');
    await page.selectOption('#calendar', 'persian');
    await page.waitForSelector('html[lang="fa"] main[data-ready="true"]');
    expect(await page.textContent('[data-figure="contacted"] .card-value')).toBe('۲');
    await page.goto(`${pipeline.url}/dashboard#/leads`);
    await page.waitForSelector('main[data-ready="true"] #lead-list');
    // 2026 is 1405 in the Solar Hijri calendar, written in Persian digits.
    expect(await page.textContent('#lead-list tbody tr td')).toContain('۱۴۰۵');
    await page.screenshot({ path: `${ARTIFACTS}/leads-fa.png`, fullPage: true });
    await page.close();
  });

  it('fits a phone screen and can be used from the keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
    await open(page, '#/leads');
    // Expressions evaluated in the page (this file is type-checked without the DOM's types).
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.className')).toBe('skip');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('leadpipe');
    // Every form control has a name a screen reader can say.
    const unlabelled = await page.evaluate<number>(
      `[...document.querySelectorAll('input, select')].filter((el) => !el.closest('label') && !el.getAttribute('aria-label') && !document.querySelector('label[for="' + el.id + '"]')).length`,
    );
    expect(unlabelled).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/leads-phone.png`, fullPage: true });
    await page.close();
  });

  it("writes a note and plans a call on a lead's page; the call shows overdue in the list and in the rep's day", async () => {
    const page = await browser.newPage({ locale: 'en-GB', timezoneId: 'Asia/Dubai' });
    const id = posted[3] ?? '';
    const { lead } = await api<{ lead: { ownerId: string } }>(`/v1/leads/${id}`);
    await open(page, `#/leads/${id}`);
    await page.fill('#note-text', 'Called 📞 <i>twice</i>, اتصلت مرتين');
    await page.click('form.note button[type="submit"]');
    await page.waitForSelector('.timeline >> text=Called 📞 <i>twice</i>, اتصلت مرتين');
    // The note's markup is text, not HTML.
    expect(await page.locator('.timeline i').count()).toBe(0);
    // Planned an hour ago, in the viewer's own time: overdue at once.
    const anHourAgo = await page.evaluate<string>(
      `(() => { const d = new Date(Date.now() - 3600000); const p = (n) => String(n).padStart(2, '0'); return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()); })()`,
    );
    await page.selectOption('#task-type', 'call');
    await page.fill('#task-due', anHourAgo);
    await page.fill('#task-note', 'ask about the budget');
    await page.click('form.plan button[type="submit"]');
    await page.waitForSelector('ul.tasks li.overdue >> text=ask about the budget');

    await open(page, '#/leads');
    await page.waitForSelector(`#lead-list tr[data-lead="${id}"] .badge.overdue`);
    // Owners by name, chosen from the reps.
    const owner = await page.textContent(`#lead-list tr[data-lead="${id}"] td:nth-child(5)`);
    expect(owner).not.toBe(lead.ownerId);
    expect(await page.locator('select[name="ownerId"] option').count()).toBeGreaterThan(1);

    await open(page, '#/today');
    await page.selectOption('select[name="ownerId"]', lead.ownerId);
    await page.selectOption('select[name="due"]', 'overdue');
    await page.click('form.filters button[type="submit"]');
    const item = page.locator(`#agenda li[data-task]`, { hasText: 'ask about the budget' });
    await item.waitFor();
    expect(await item.getAttribute('class')).toBe('overdue');
    await item.locator('button').click();
    await page.waitForSelector('#agenda >> text=Nothing due.');
    await page.screenshot({ path: `${ARTIFACTS}/today-en.png`, fullPage: true });
    await page.close();
  });

  it('finds a lead from the search box by the start of its Arabic name, and disqualifies it with a reason', async () => {
    const page = await browser.newPage({ locale: 'en-GB' });
    await open(page, '#/leads');
    await page.fill('input[name="q"]', 'سار');
    await page.click('form.filters button[type="submit"]');
    // The page's policy forbids evaluated strings: poll from here.
    await expect.poll(() => page.locator('#lead-list tbody tr').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getAttribute('#lead-list tbody tr', 'data-lead')).toBe(posted[0]);
    await page.click(`#lead-list tr[data-lead="${posted[0]}"] a`);
    await page.waitForSelector('main[data-ready="true"] #dq-reason');
    await page.selectOption('#dq-reason', 'wrong-number');
    await page.click('[data-action="disqualified"]');
    await page.waitForSelector('[data-status="disqualified"]');
    expect(await page.textContent('.timeline')).toContain('wrong-number');
    await page.close();
  });

  it('imports a spreadsheet in Persian: the counts, the refused row and why, the leads in the list', async () => {
    const page = await browser.newPage({ locale: 'en-GB' });
    await open(page, '#/import');
    await page.selectOption('#lang', 'fa');
    await page.waitForSelector('html[dir="rtl"][lang="fa"] main[data-ready="true"] #import-form');
    await page.setInputFiles('#import-file', 'test/fixtures/imports/expo-arabic.csv');
    await page.fill('#import-source', 'expo-ui');
    await page.click('#import-form button[type="submit"]');
    await page.waitForSelector('#import-result[data-status="done"]', { timeout: 20_000 });
    // Rows, new leads, merged, refused: in Persian digits.
    expect(await page.locator('#import-result dd').allTextContents()).toEqual(['۴', '۳', '۰', '۱']);
    expect(await page.textContent('#import-refused tbody')).toContain('نه ایمیل دارد نه تلفن');
    expect(await page.textContent('#import-refused tbody td')).toBe('۵');
    await page.screenshot({ path: `${ARTIFACTS}/import-fa.png`, fullPage: true });

    await page.goto(`${pipeline.url}/dashboard#/leads`);
    await page.waitForSelector('main[data-ready="true"] #lead-list');
    await page.selectOption('select[name="source"]', 'import');
    await page.click('form.filters button[type="submit"]');
    await expect.poll(() => page.locator('#lead-list tbody tr').count(), { timeout: 10_000 }).toBe(3);
    await page.close();
  });

  it('shows a campaign’s return: its spend, a deal won with its value on the lead page, cost per lead and ROI', async () => {
    // The campaign's spend, from a Meta Ads Manager export as `npm run spend -- import` reads and sends it.
    const day = new Date().toISOString().slice(0, 10);
    const report = readSpendFile(
      Buffer.from(`"Campaign name",Day,Currency,"Amount spent (USD)"\r\nui-spring,${day},USD,300.00\r\n`),
      { source: 'web-form' },
    );
    const spend = await fetch(`${pipeline.url}/v1/spend`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(report.rows),
    });
    expect(spend.status).toBe(200);
    const { leadId } = await api<{ leadId: string }>('/v1/forms/demo/leads', {
      name: 'Rania ROI',
      email: `ui.roi.${Date.now()}@example.com`,
      utm_campaign: 'ui-spring',
    });
    await eventually('the lead assigned', async () => {
      const { lead } = await api<{ lead?: { ownerId?: string } }>(`/v1/leads/${leadId}`);
      return lead?.ownerId;
    });
    const page = await browser.newPage({ locale: 'en-GB' });
    await open(page, `#/leads/${leadId}`);
    await page.fill('#deal-amount', '1200.50');
    await page.click('[data-action="won"]');
    await page.waitForSelector('[data-status="won"]');
    expect(await page.textContent('[data-figure="deal-value"]')).toBe('US$1,200.50');

    await expect
      .poll(
        async () => {
          // The stream counts the deal a moment later: read the page afresh until it shows.
          await page.goto(`${pipeline.url}/dashboard#/roi/campaign`);
          await page.reload();
          await page.waitForSelector('main[data-ready="true"] #roi-table');
          return page.locator('#roi-table tr[data-group="ui-spring"] [data-column="revenue"]').textContent();
        },
        { timeout: 15_000 },
      )
      .toBe('US$1,200.50');
    const cell = (column: string) =>
      page.textContent(`#roi-table tr[data-group="ui-spring"] [data-column="${column}"]`);
    expect(await cell('spend')).toBe('US$300.00');
    expect(await cell('costPerLead')).toBe('US$300.00');
    expect(await cell('roiPercent')).toBe('300.2%');
    // Sorted by a click on a column's header.
    await page.click('button[data-sort="revenue"]');
    expect(await page.getAttribute('th[aria-sort]', 'aria-sort')).toBe('descending');
    await page.screenshot({ path: `${ARTIFACTS}/roi-en.png`, fullPage: true });
    // In Arabic: right to left, the amounts in Arabic-Indic digits.
    await page.selectOption('#lang', 'ar');
    await page.waitForSelector('html[dir="rtl"][lang="ar"] main[data-ready="true"] #roi-table');
    expect(await cell('revenue')).toContain('١٬٢٠٠٫٥٠');
    await page.screenshot({ path: `${ARTIFACTS}/roi-ar.png`, fullPage: true });
    await page.close();
  });

  it('refuses a file holding formulas, saying which cell, and imports nothing', async () => {
    const page = await browser.newPage({ locale: 'en-GB' });
    await open(page, '#/import');
    await page.setInputFiles('#import-file', {
      name: 'tricky.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,email\r\n"=HYPERLINK(""http://x.example"")",a@example.com\r\n'),
    });
    await page.fill('#import-source', 'tricky');
    await page.click('#import-form button[type="submit"]');
    const alert = await page.waitForSelector('#import-result [role="alert"]');
    expect(await alert.textContent()).toMatch(/formula.*row 2, column "name"/);
    await page.close();
  });
});
