import { createHash } from 'node:crypto';
import { TextDecoder } from 'node:util';
import type { ContactField, FormConfig } from '../../shared/config.ts';
import { type ErrorIssue, HttpError } from '../../shared/errors.ts';
import type { Attribution, Contact, IntakeMessage } from '../../shared/lead.ts';
import { ANSWER_MAX_CHARS, cutAnswer, fitAnswers } from '../../shared/limits.ts';
import { ownValue, safeKey } from '../../shared/records.ts';
import { cleanValue, stripBidiMarks } from '../../shared/text.ts';
import * as z from '../../shared/zod.ts';

/** Form fields by name; a null prototype, so a field named `__proto__` or `constructor` is only a field. */
export type FormBody = Record<string, string>;

export type FormSubmission = {
  formId: string;
  form: FormConfig;
  leadId: string;
  receivedAt: string;
  contentType: string | undefined;
  /** The body's bytes, decoded by the charset the Content-Type declares; a string is taken as decoded. */
  body: Uint8Array | string;
  ip?: string;
  userAgent?: string;
  /** The HTTP Referer of a browser post: the page the form was on, unless the form says otherwise. */
  referer?: string;
  idempotencyKey?: string;
};

export type FormOutcome =
  | { kind: 'accepted'; message: IntakeMessage; mediaType: FormMediaType }
  | { kind: 'honeypot'; mediaType: FormMediaType };

export type FormMediaType = 'json' | 'urlencoded';

const MAX_FIELDS = 100;
const MAX_KEY_LENGTH = 100;
const MAX_LINE_LENGTH = 300;
const MAX_TEXT_LENGTH = ANSWER_MAX_CHARS;

/** Common names for contact inputs, so most forms need no field mapping at all. */
const FIELD_ALIASES: Record<string, ContactField> = {
  name: 'name',
  full_name: 'name',
  fullname: 'name',
  fullName: 'name',
  first_name: 'firstName',
  firstName: 'firstName',
  last_name: 'lastName',
  lastName: 'lastName',
  email: 'email',
  email_address: 'email',
  phone: 'phone',
  phone_number: 'phone',
  tel: 'phone',
  mobile: 'phone',
  company: 'company',
  company_name: 'company',
  job_title: 'jobTitle',
  jobTitle: 'jobTitle',
  city: 'city',
  country: 'country',
  message: 'message',
  comments: 'message',
};

const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

/** Inputs that are about the visit or the consent, not the person's answers. */
const CONTEXT_FIELDS = new Set([
  'page_url',
  'pageUrl',
  'referrer',
  'referer',
  'consent',
  'consent_text_version',
  'consent_version',
]);

const YES = new Set(['true', 'on', 'yes', '1', 'checked', 'agreed']);

/** A retried post is the same form and the same bytes; this key finds it without keeping the body in it. */
export function submissionDedupeKey(formId: string, body: Uint8Array | string): string {
  return createHash('sha256').update(formId).update('\n').update(body).digest('base64url');
}

export function mediaTypeOf(contentType: string | undefined): FormMediaType {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'urlencoded';
  throw new HttpError(
    415,
    'unsupported_media_type',
    `Send the form as application/json or application/x-www-form-urlencoded${type ? `, not ${type}` : ' (the Content-Type header is missing)'}.`,
  );
}

/**
 * The charset the Content-Type declares (UTF-8 when none): old Arabic sites still post windows-1256. A charset
 * no decoder knows is refused, never read as UTF-8 and turned into U+FFFD.
 */
export function charsetOf(contentType: string | undefined): TextDecoder {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  const label = match?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(label);
  } catch {
    throw new HttpError(
      415,
      'unsupported_charset',
      `The charset "${label.slice(0, 40)}" is not one leadpipe can read; send UTF-8 (or a charset such as windows-1256).`,
    );
  }
}

/** `a=1&b=%D3%C7` with each percent-escape read as a byte of `decoder`'s charset (browsers encode so). */
function parseUrlEncoded(body: Uint8Array | string, decoder: TextDecoder): [string, string][] {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('latin1');
  if (typeof body === 'string' || decoder.encoding === 'utf-8') return [...new URLSearchParams(text)];
  const decode = (part: string) =>
    decoder.decode(
      Buffer.from(
        part
          .replace(/\+/g, ' ')
          .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ),
    );
  return text
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
    });
}

/** Parses the body into flat string fields; nested objects are rejected, lists are joined. */
export function parseFormBody(
  body: Uint8Array | string,
  mediaType: FormMediaType,
  decoder: TextDecoder = new TextDecoder('utf-8'),
): FormBody {
  const fields: FormBody = Object.create(null);
  if (mediaType === 'urlencoded') {
    for (const [key, value] of parseUrlEncoded(body, decoder)) {
      const seen = ownValue(fields, key);
      fields[key] = seen === undefined ? value : `${seen}, ${value}`;
    }
    return fields;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : decoder.decode(body));
  } catch (error) {
    throw new HttpError(400, 'malformed_json', `The body is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_body', 'The body must be a JSON object of form fields.');
  }
  const issues: ErrorIssue[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') fields[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') fields[key] = String(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
      fields[key] = value.join(', ');
    else issues.push({ path: key, message: 'must be a string, number, boolean or a list of strings' });
  }
  if (issues.length > 0)
    throw new HttpError(400, 'validation_failed', 'Some fields have the wrong type.', issues);
  return fields;
}

const line = z.string().check(z.maxLength(MAX_LINE_LENGTH, `at most ${MAX_LINE_LENGTH} characters`));

const ContactInput = z.object({
  name: z.optional(line),
  firstName: z.optional(line),
  lastName: z.optional(line),
  email: z.optional(z.email('not a valid email address').check(z.maxLength(254))),
  phone: z.optional(
    z.string().check(z.maxLength(40, 'at most 40 characters'), z.regex(/\p{Nd}/u, 'must contain digits')),
  ),
  company: z.optional(line),
  jobTitle: z.optional(line),
  city: z.optional(line),
  country: z.optional(line),
  message: z.optional(
    z.string().check(z.maxLength(MAX_TEXT_LENGTH, `at most ${MAX_TEXT_LENGTH} characters`)),
  ),
});

function utmFrom(fields: FormBody): Attribution['utm'] {
  const utm: Attribution['utm'] = {};
  for (const key of UTM_FIELDS) {
    const value = ownValue(fields, `utm_${key}`);
    if (value) utm[key] = cleanValue(value, false).slice(0, MAX_LINE_LENGTH);
  }
  return utm;
}

/**
 * Turns one web-form submission into an intake message, or says why not.
 * Pure: the lead id and the time come in as arguments.
 */
export function acceptFormSubmission(input: FormSubmission): FormOutcome {
  const mediaType = mediaTypeOf(input.contentType);
  const decoder = charsetOf(input.contentType);
  const fields = parseFormBody(input.body, mediaType, decoder);
  const keys = Object.keys(fields);
  if (keys.length > MAX_FIELDS)
    throw new HttpError(
      400,
      'too_many_fields',
      `A form may post at most ${MAX_FIELDS} fields; this one has ${keys.length}.`,
    );
  const longKey = keys.find((k) => k.length > MAX_KEY_LENGTH);
  if (longKey !== undefined)
    throw new HttpError(
      400,
      'field_name_too_long',
      `Field names may be at most ${MAX_KEY_LENGTH} characters.`,
    );

  const { form } = input;
  if (form.honeypot !== undefined && (ownValue(fields, form.honeypot) ?? '').trim() !== '')
    return { kind: 'honeypot', mediaType };

  const contact: Record<string, string> = {};
  const postedName: Partial<Record<ContactField, string>> = {};
  const answers: Record<string, string> = {};
  for (const [key, raw] of Object.entries(fields)) {
    if (key === form.honeypot || key.startsWith('utm_') || CONTEXT_FIELDS.has(key)) continue;
    const target = ownValue(form.fields, key) ?? ownValue(FIELD_ALIASES, key);
    if (target !== undefined) {
      // Emails and phones pasted from RTL text carry invisible direction marks; they are never meant.
      const typed = target === 'email' || target === 'phone' ? stripBidiMarks(raw) : raw;
      const value = cleanValue(typed, target === 'message');
      if (value !== '' && contact[target] === undefined) {
        contact[target] = value;
        postedName[target] = key;
      }
    } else {
      const value = cleanValue(raw, true);
      if (value !== '') answers[safeKey(cleanValue(key, false))] = cutAnswer(value);
    }
  }

  const parsed = ContactInput.safeParse(contact);
  const issues: ErrorIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const field = issue.path[0] as ContactField;
        return { path: postedName[field] ?? field, message: issue.message };
      });
  for (const required of form.required) {
    if (required === 'email-or-phone') {
      if (contact.email === undefined && contact.phone === undefined)
        issues.push({ path: 'email', message: 'give an email address or a phone number' });
    } else if (contact[required] === undefined) {
      issues.push({ path: reverseName(form, required), message: 'required' });
    }
  }
  if (issues.length > 0 || !parsed.success)
    throw new HttpError(400, 'validation_failed', 'The form has fields that need fixing.', issues);

  const consentField = fields.consent;
  const consentVersion = fields.consent_text_version ?? fields.consent_version;
  const pageUrl = fields.page_url ?? fields.pageUrl ?? input.referer;
  const referrer = fields.referrer ?? fields.referer;
  const message: IntakeMessage = {
    v: 1,
    leadId: input.leadId,
    source: 'web-form',
    formId: input.formId,
    ...(input.idempotencyKey ? { externalId: input.idempotencyKey } : {}),
    receivedAt: input.receivedAt,
    contact: parsed.data satisfies Contact,
    answers: fitAnswers(answers),
    attribution: {
      utm: utmFrom(fields),
      ...(pageUrl ? { pageUrl: cleanValue(pageUrl, false).slice(0, 2000) } : {}),
      ...(referrer ? { referrer: cleanValue(referrer, false).slice(0, 2000) } : {}),
    },
    request: {
      ...(input.ip ? { ip: input.ip } : {}),
      ...(input.userAgent ? { userAgent: input.userAgent.slice(0, 500) } : {}),
    },
    locale: form.locale,
    ...(form.defaultCountry ? { defaultCountry: form.defaultCountry } : {}),
    test: form.test,
    ...(consentField !== undefined
      ? {
          consent: {
            given: YES.has(consentField.trim().toLowerCase()),
            ...(consentVersion ? { textVersion: cleanValue(consentVersion, false).slice(0, 100) } : {}),
            at: input.receivedAt,
            ...(input.ip ? { ip: input.ip } : {}),
          },
        }
      : {}),
    ...(input.idempotencyKey ? {} : { dedupeKey: submissionDedupeKey(input.formId, input.body) }),
    raw: typeof input.body === 'string' ? input.body : decoder.decode(input.body),
  };
  return { kind: 'accepted', message, mediaType };
}

function reverseName(form: FormConfig, field: ContactField): string {
  return Object.entries(form.fields).find(([, target]) => target === field)?.[0] ?? field;
}
