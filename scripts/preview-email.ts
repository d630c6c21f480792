import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAssignmentEmail } from '../functions/nurture/templates/assignment.ts';
import { renderEscalationEmail } from '../functions/nurture/templates/escalation.ts';
import { renderNurtureEmail } from '../functions/nurture/templates/nurture.ts';
import { type Lead, Locale } from '../functions/shared/lead.ts';
import { ACTIONS, actionUrl, unsubscribeUrl } from '../functions/shared/links.ts';
import * as z from '../functions/shared/zod.ts';
import { loadConfigFile } from '../local/config-file.ts';

// npm run preview-email -- TEMPLATE LOCALE: renders a template with a sample lead full of hostile and RTL text
// (HTML, CR/LF, Arabic, Persian, Latin inside RTL) to .leadpipe/preview/, to open in a browser. TEMPLATE is
// assignment, reminder, escalation, or nurture:<id> for a nurture template of the config.
const TEMPLATE_HELP = 'templates: assignment, reminder, escalation, nurture:<template id>';
const Args = z.tuple([
  z
    .string()
    .check(z.regex(/^(assignment|reminder|escalation|nurture:[a-z0-9-]+)$/, { error: TEMPLATE_HELP })),
  z._default(Locale, 'en'),
]);

try {
  const [template, locale] = Args.parse(process.argv.slice(2, 4));
  const config = loadConfigFile(process.env.LEADPIPE_CONFIG ?? 'leadpipe.config.yaml');
  const rep = {
    ...(config.routing.reps[0] ?? {
      id: 'rep',
      name: 'Rep',
      email: 'rep@example.com',
      timezone: 'UTC',
      weight: 1,
      active: true,
      outOfOffice: [],
    }),
    locale,
  };
  const now = new Date();
  const lead: Lead = {
    id: 'preview',
    source: 'facebook',
    formId: '172036835026334',
    receivedAt: now.toISOString(),
    createdAt: now.toISOString(),
    contact: {
      name: 'سارة <b>الحربي</b>\r\nBcc: x@example.com',
      firstName: 'سارة <i>',
      email: 'sara.alharbi@example.sa',
      phone: '+966 50 123 4567',
      company: 'شركة "الأفق" & Co',
    },
    phoneE164: '+966501234567',
    keys: { email: 'sara.alharbi@example.sa' },
    answers: {
      'ما الميزانية؟': '50,000 ريال',
      'بودجه شما؟': '۵۰۰ میلیون تومان',
      notes: '<script>alert(1)</script>\nline two',
    },
    attribution: { utm: {}, campaignName: 'RE-Tehran-Q1' },
    locale,
    score: {
      total: 55,
      breakdown: [
        { ruleId: 'has-phone', points: 20 },
        { ruleId: 'company-email', points: 10 },
        { ruleId: 'paid-campaign', points: 25 },
      ],
      qualification: 'mql',
      grade: 'B',
    },
    segments: ['gulf'],
    status: 'assigned',
    ownerId: rep.id,
    assignment: {
      repId: rep.id,
      poolId: 'default',
      counter: 7,
      rule: 'segment gulf',
      skipped: [{ repId: 'omid', why: 'paused' }],
      reason: 'segment gulf; pool default, rotation slot 7; skipped omid (paused)',
      at: now.toISOString(),
      sla: { minutes: 15, dueAt: new Date(now.getTime() + 15 * 60_000).toISOString() },
    },
    touches: [],
    followUps: [],
    history: [],
    statusHistory: [],
    version: 1,
    test: false,
  };
  const leadUrl = `${config.mail.publicBaseUrl}/v1/leads/preview`;
  const rendered = render();

  function render() {
    if (template === 'escalation')
      return renderEscalationEmail({
        lead,
        repName: rep.name,
        manager: { name: 'Manager', email: 'manager@example.com', locale },
        timeZone: rep.timezone,
        minutes: 30,
        reassigning: true,
        leadUrl,
      });
    if (template.startsWith('nurture:'))
      return renderNurtureEmail({
        lead,
        template: template.slice('nurture:'.length),
        templates: config.nurture.templates,
        unsubscribeUrl: unsubscribeUrl(config.mail.publicBaseUrl, lead.id, config.mail.linkSigningKey),
      });
    return renderAssignmentEmail({
      rep,
      lead,
      leadUrl,
      variant: template === 'reminder' ? 'reminder' : 'assignment',
      actions: ACTIONS.map((action) => ({
        action,
        url: actionUrl(
          config.mail.publicBaseUrl,
          { leadId: 'preview', action, repId: rep.id, expiresAt: Math.floor(now.getTime() / 1000) + 86_400 },
          config.mail.linkSigningKey,
        ),
      })),
    });
  }
  const dir = join('.leadpipe', 'preview');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${template.replace(':', '-')}.${locale}`);
  writeFileSync(`${base}.html`, rendered.html);
  writeFileSync(`${base}.txt`, `Subject: ${rendered.subject}\n\n${rendered.text}\n`);
  console.log(`subject: ${rendered.subject}\nhtml:    ${base}.html\ntext:    ${base}.txt`);
} catch (error) {
  console.error(
    `preview-email: ${error instanceof z.core.$ZodError ? error.issues.map((i) => i.message).join('; ') : (error as Error).message}`,
  );
  process.exit(1);
}
