import type { ContactField } from '../../shared/config.ts';
import type { ImportFormat } from '../../shared/imports.ts';
import { matchingKey } from '../../shared/normalise.ts';

/**
 * Column names, matched folded (case, spaces, `_`, Arabic/Persian letter variants and diacritics do not
 * matter): `Full Name`, `full_name` and `FULL_NAME` are one column; so are `الاسم الكامل` and `الإسم الكامل`.
 */
export function columnKey(name: string): string {
  return matchingKey(name) ?? '';
}

/** What a column can hold besides a contact field: the lead's identity, time and attribution. */
export type MetaColumn =
  | 'externalId'
  | 'submittedAt'
  | 'campaignId'
  | 'campaignName'
  | 'adsetId'
  | 'adId'
  | 'adName'
  | 'formId'
  | 'creativeId'
  | 'assetGroupId'
  | 'gclId'
  | 'test'
  | 'utm.source'
  | 'utm.medium'
  | 'utm.campaign'
  | 'utm.term'
  | 'utm.content';

export type ColumnTarget = { contact: ContactField } | { meta: MetaColumn };

/**
 * Names people give each column, in English, Arabic and Persian, with Google's lead form column ids and labels
 * (FULL_NAME, "User Email", "User Phone"). `نام` alone is a name; beside a family-name column it is the first name.
 */
const CONTACT_ALIASES: Record<ContactField, readonly string[]> = {
  name: [
    'name',
    'full name',
    'fullname',
    'contact name',
    'الاسم',
    'اسم',
    'الاسم الكامل',
    'الإسم',
    'نام',
    'نام کامل',
    'نام و نام خانوادگی',
  ],
  firstName: ['first name', 'given name', 'firstname', 'الاسم الأول', 'الاسم الاول', 'نام کوچک'],
  lastName: [
    'last name',
    'surname',
    'family name',
    'lastname',
    'اسم العائلة',
    'الكنية',
    'اللقب',
    'نام خانوادگی',
    'فامیلی',
    'فامیل',
  ],
  email: [
    'email',
    'e-mail',
    'email address',
    'mail',
    'user email',
    'work email',
    'البريد الإلكتروني',
    'البريد الالكتروني',
    'البريد',
    'ايميل',
    'ایمیل',
    'پست الکترونیک',
    'رایانامه',
  ],
  phone: [
    'phone',
    'phone number',
    'mobile',
    'mobile number',
    'mobile phone',
    'cell',
    'telephone',
    'tel',
    'whatsapp',
    'user phone',
    'work phone',
    'الهاتف',
    'رقم الهاتف',
    'الجوال',
    'رقم الجوال',
    'جوال',
    'الموبايل',
    'رقم الموبايل',
    'واتساب',
    'تلفن',
    'شماره تلفن',
    'موبایل',
    'شماره موبایل',
    'تلفن همراه',
    'شماره همراه',
  ],
  company: [
    'company',
    'company name',
    'organisation',
    'organization',
    'business',
    'الشركة',
    'اسم الشركة',
    'المؤسسة',
    'شرکت',
    'نام شرکت',
    'سازمان',
  ],
  jobTitle: [
    'job title',
    'title',
    'position',
    'role',
    'المسمى الوظيفي',
    'الوظيفة',
    'المنصب',
    'سمت',
    'عنوان شغلی',
    'شغل',
  ],
  city: ['city', 'town', 'المدينة', 'مدينة', 'شهر'],
  region: ['region', 'state', 'province', 'المنطقة', 'المحافظة', 'استان', 'منطقه'],
  postalCode: ['postal code', 'zip', 'zip code', 'postcode', 'post code', 'الرمز البريدي', 'کد پستی'],
  country: ['country', 'الدولة', 'البلد', 'کشور'],
  message: [
    'message',
    'notes',
    'note',
    'comment',
    'comments',
    'ملاحظات',
    'رسالة',
    'الرسالة',
    'تعليق',
    'پیام',
    'توضیحات',
    'یادداشت',
  ],
};

const META_ALIASES: Record<MetaColumn, readonly string[]> = {
  externalId: ['id', 'lead id', 'leadid', 'lead_id', 'external id', 'رقم العميل', 'معرف', 'شناسه'],
  submittedAt: [
    'created',
    'created at',
    'created time',
    'created_time',
    'date',
    'submitted',
    'submitted at',
    'submission time',
    'submission date',
    'lead submit time',
    'lead_submit_time',
    'time',
    'التاريخ',
    'تاريخ',
    'تاريخ الإنشاء',
    'تاریخ',
    'زمان',
  ],
  campaignId: ['campaign id', 'campaign_id'],
  campaignName: ['campaign', 'campaign name', 'الحملة', 'اسم الحملة', 'کمپین', 'نام کمپین'],
  adsetId: ['adset id', 'ad set id', 'adgroup id', 'ad group id', 'adgroup_id'],
  adId: ['ad id', 'ad_id'],
  adName: ['ad name', 'ad_name', 'ad', 'الإعلان', 'تبلیغ'],
  formId: ['form id', 'form_id'],
  creativeId: ['creative id', 'creative_id'],
  assetGroupId: ['asset group id', 'asset_group_id'],
  gclId: ['gclid', 'gcl id', 'gcl_id', 'google click id'],
  test: ['is test', 'is_test', 'test'],
  'utm.source': ['utm source', 'utm_source', 'source'],
  'utm.medium': ['utm medium', 'utm_medium', 'medium'],
  'utm.campaign': ['utm campaign', 'utm_campaign'],
  'utm.term': ['utm term', 'utm_term'],
  'utm.content': ['utm content', 'utm_content'],
};

function index<K extends string>(aliases: Record<K, readonly string[]>): Map<string, K> {
  const map = new Map<string, K>();
  for (const [target, names] of Object.entries(aliases) as [K, readonly string[]][])
    for (const name of names) map.set(columnKey(name), target);
  return map;
}

const CONTACT_BY_KEY = index(CONTACT_ALIASES);
const META_BY_KEY = index(META_ALIASES);

/**
 * Each column's target, by name; a column nothing names is an answer (kept under its own name). The first of
 * two columns naming the same field wins; the other stays an answer.
 */
export function mapColumns(header: readonly string[]): (ColumnTarget | undefined)[] {
  const keys = header.map(columnKey);
  const hasLastName = keys.some((k) => CONTACT_BY_KEY.get(k) === 'lastName');
  const taken = new Set<string>();
  return keys.map((key) => {
    let contact = CONTACT_BY_KEY.get(key);
    // "نام" / "الاسم" beside a family-name column is the given name.
    if (contact === 'name' && hasLastName) contact = 'firstName';
    const target: ColumnTarget | undefined = contact
      ? { contact }
      : META_BY_KEY.has(key)
        ? { meta: META_BY_KEY.get(key) as MetaColumn }
        : undefined;
    if (target === undefined) return undefined;
    const name = 'contact' in target ? target.contact : target.meta;
    if (taken.has(name)) return undefined;
    taken.add(name);
    return target;
  });
}

/** Meta's lead download: its fixed columns, before the form's questions (keyed as in the Graph API). */
export const META_FIXED_COLUMNS = [
  'id',
  'created_time',
  'ad_id',
  'ad_name',
  'adset_id',
  'adset_name',
  'campaign_id',
  'campaign_name',
  'form_id',
  'form_name',
  'is_organic',
  'platform',
  'lead_status',
  'inbox_url',
] as const;

/** Columns only a Google Ads lead download has, beside its lead id. */
const GOOGLE_MARKERS = [
  'gcl_id',
  'gclid',
  'google click id',
  'lead_submit_time',
  'lead submit time',
  'is_test',
  'asset_group_id',
  'adgroup_id',
  'ad group id',
].map(columnKey);

/**
 * Which spreadsheet this is, from its header: Meta's download (`id`, `created_time`, `form_id`, `is_organic`…),
 * Google's (a lead id and a Google-only column such as the click id), or any other list.
 */
export function detectFormat(header: readonly string[]): ImportFormat {
  const raw = new Set(header.map((h) => h.trim().toLowerCase()));
  if (raw.has('id') && raw.has('created_time') && (raw.has('form_id') || raw.has('is_organic')))
    return 'meta';
  const keys = new Set(header.map(columnKey));
  const hasLeadId = keys.has(columnKey('lead id'));
  if (hasLeadId && GOOGLE_MARKERS.some((m) => keys.has(m))) return 'google';
  return 'generic';
}
