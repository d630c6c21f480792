import { escapeHtml } from '../shared/html.ts';
import type { Locale } from '../shared/lead.ts';
import type { Action } from '../shared/links.ts';

type PageStrings = {
  confirm: Record<Action, string>;
  button: string;
  reason: string;
  competitor: string;
  amount: string;
  currency: string;
  done: Record<Action, string>;
  already: string;
  expired: string;
  invalid: string;
  refused: string;
  moved: string;
};

const STRINGS: Record<Locale, PageStrings> = {
  en: {
    confirm: {
      contacted: 'Confirm that you contacted this lead.',
      qualified: 'Confirm that this lead is qualified.',
      won: 'Confirm that this lead is won.',
      lost: 'Mark this lead as lost. Why?',
      later: 'When will you call back? You will be reminded then.',
    },
    button: 'Confirm',
    reason: 'Reason',
    competitor: 'Competitor (if any)',
    amount: 'Deal value (if known)',
    currency: 'Currency',
    done: {
      contacted: 'Recorded: contacted.',
      qualified: 'Recorded: qualified.',
      won: 'Recorded: won. Well done!',
      lost: 'Recorded: lost.',
      later: 'Planned: you will be reminded to call back.',
    },
    already: 'Nothing to change: the lead has this status already.',
    expired: 'This link has expired. Open the lead to update it.',
    invalid: 'This link is not valid.',
    refused: 'This change is not possible for the lead any more.',
    moved: 'This lead has moved to another rep; this link no longer acts on it.',
  },
  ar: {
    confirm: {
      contacted: 'أكّد أنك تواصلت مع هذا العميل.',
      qualified: 'أكّد أن هذا العميل مؤهل.',
      won: 'أكّد إتمام الصفقة مع هذا العميل.',
      lost: 'سجّل هذا العميل كخسارة. ما السبب؟',
      later: 'متى ستعاود الاتصال؟ سنذكّرك حينها.',
    },
    button: 'تأكيد',
    reason: 'السبب',
    competitor: 'المنافس (إن وجد)',
    amount: 'قيمة الصفقة (إن عُرفت)',
    currency: 'العملة',
    done: {
      contacted: 'تم التسجيل: تم التواصل.',
      qualified: 'تم التسجيل: مؤهل.',
      won: 'تم التسجيل: تمت الصفقة. أحسنت!',
      lost: 'تم التسجيل: خسارة.',
      later: 'تمت الجدولة: سنذكّرك بمعاودة الاتصال.',
    },
    already: 'لا شيء لتغييره: للعميل هذه الحالة بالفعل.',
    expired: 'انتهت صلاحية هذا الرابط. افتح العميل لتحديثه.',
    invalid: 'هذا الرابط غير صالح.',
    refused: 'لم يعد هذا التغيير ممكنًا لهذا العميل.',
    moved: 'انتقل هذا العميل إلى مندوب آخر؛ لم يعد هذا الرابط يعمل عليه.',
  },
  fa: {
    confirm: {
      contacted: 'تأیید کنید که با این سرنخ تماس گرفتید.',
      qualified: 'تأیید کنید که این سرنخ واجد شرایط است.',
      won: 'تأیید کنید که قرارداد با این سرنخ بسته شد.',
      lost: 'این سرنخ را از دست رفته ثبت کنید. چرا؟',
      later: 'کی دوباره تماس می‌گیرید؟ همان موقع یادآوری می‌شود.',
    },
    button: 'تأیید',
    reason: 'دلیل',
    competitor: 'رقیب (اگر هست)',
    amount: 'ارزش معامله (اگر معلوم است)',
    currency: 'واحد پول',
    done: {
      contacted: 'ثبت شد: تماس گرفته شد.',
      qualified: 'ثبت شد: واجد شرایط.',
      won: 'ثبت شد: قرارداد بسته شد. آفرین!',
      lost: 'ثبت شد: از دست رفت.',
      later: 'برنامه‌ریزی شد: برای تماس دوباره یادآوری می‌شود.',
    },
    already: 'چیزی برای تغییر نیست: سرنخ همین وضعیت را دارد.',
    expired: 'این پیوند منقضی شده است. سرنخ را باز کنید تا به‌روز کنید.',
    invalid: 'این پیوند معتبر نیست.',
    refused: 'این تغییر دیگر برای این سرنخ ممکن نیست.',
    moved: 'این سرنخ به فروشندهٔ دیگری سپرده شده است؛ این پیوند دیگر روی آن کار نمی‌کند.',
  },
};

function page(locale: Locale, body: string): string {
  const dir = locale === 'en' ? 'ltr' : 'rtl';
  return `<!doctype html>
<html lang="${locale}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>leadpipe</title></head>
<body dir="${dir}" style="font-family:system-ui,Tahoma,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;direction:${dir}">${body}</body></html>`;
}

/**
 * The page a link in an email opens: it only asks. Mail scanners follow links with GET, so nothing changes until
 * the rep presses the button (a POST).
 */
export function confirmPage(locale: Locale, action: Action, token: string, currency = 'USD'): string {
  const t = STRINGS[locale];
  const extra =
    action === 'won' || action === 'qualified'
      ? // Digits as the rep types them (Arabic-Indic and Persian too); the server reads them.
        `<p><label>${escapeHtml(t.amount)}<br><input name="amount" inputmode="decimal" maxlength="24" style="width:60%"></label>
<label>${escapeHtml(t.currency)}<br><input name="currency" value="${escapeHtml(currency)}" maxlength="3" size="4" pattern="[A-Za-z]{3}"></label></p>`
      : action === 'lost'
        ? `<p><label>${escapeHtml(t.reason)}<br><textarea name="reason" required maxlength="500" rows="3" style="width:100%"></textarea></label></p>
<p><label>${escapeHtml(t.competitor)}<br><input name="competitor" maxlength="200" style="width:100%"></label></p>`
        : action === 'later'
          ? // The rep's own wall time; the server reads it in the rep's zone.
            `<p><input type="datetime-local" name="dueAt" required style="width:100%"></p>`
          : '';
  return page(
    locale,
    `<form method="post"><p>${escapeHtml(t.confirm[action])}</p>${extra}<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit" style="padding:.5rem 1rem">${escapeHtml(t.button)}</button></form>`,
  );
}

export function resultPage(
  locale: Locale,
  outcome: 'done' | 'already' | 'expired' | 'invalid' | 'refused' | 'moved',
  action: Action,
): string {
  const t = STRINGS[locale];
  const text = outcome === 'done' ? t.done[action] : t[outcome];
  return page(locale, `<p>${escapeHtml(text)}</p>`);
}

const UNSUBSCRIBE: Record<Locale, { ask: string; button: string; done: string; invalid: string }> = {
  en: {
    ask: 'Stop all marketing email from us to this address?',
    button: 'Unsubscribe',
    done: 'You are unsubscribed. You will not get marketing email from us again.',
    invalid: 'This unsubscribe link is not valid.',
  },
  ar: {
    ask: 'هل تريد إيقاف جميع رسائلنا التسويقية إلى هذا العنوان؟',
    button: 'إلغاء الاشتراك',
    done: 'تم إلغاء اشتراكك. لن تصلك منا رسائل تسويقية بعد الآن.',
    invalid: 'رابط إلغاء الاشتراك هذا غير صالح.',
  },
  fa: {
    ask: 'همه‌ی ایمیل‌های تبلیغاتی ما به این نشانی متوقف شود؟',
    button: 'لغو اشتراک',
    done: 'اشتراک شما لغو شد. دیگر ایمیل تبلیغاتی از ما دریافت نمی‌کنید.',
    invalid: 'این پیوند لغو اشتراک معتبر نیست.',
  },
};

/** The unsubscribe link's page: a GET only asks (scanners follow links); the button POSTs. */
export function unsubscribeConfirmPage(locale: Locale, leadId: string, token: string): string {
  const t = UNSUBSCRIBE[locale];
  return page(
    locale,
    `<form method="post"><p>${escapeHtml(t.ask)}</p><input type="hidden" name="lead" value="${escapeHtml(leadId)}"><input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit" style="padding:.5rem 1rem">${escapeHtml(t.button)}</button></form>`,
  );
}

export function unsubscribeResultPage(locale: Locale, outcome: 'done' | 'invalid'): string {
  return page(locale, `<p>${escapeHtml(UNSUBSCRIBE[locale][outcome])}</p>`);
}
