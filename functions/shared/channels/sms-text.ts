/**
 * SMS length as handsets and carriers count it (3GPP TS 23.038): text that fits the GSM 7-bit alphabet goes as
 * septets, 160 in one part or 153 a part when split (the rest of each part is the concatenation header); the
 * extension characters take two. Anything else, Arabic and Persian included, goes as UCS-2: 70 UTF-16 units in
 * one part, 67 a part when split, and a character outside the BMP (an emoji) takes two.
 */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export function smsEncoding(text: string): SmsEncoding {
  for (const char of text) if (!GSM_BASIC.has(char) && !GSM_EXTENSION.has(char)) return 'UCS-2';
  return 'GSM-7';
}

/** The units each character takes, in the message's encoding. */
function units(text: string, encoding: SmsEncoding): number[] {
  return [...text].map((char) => (encoding === 'GSM-7' ? (GSM_EXTENSION.has(char) ? 2 : 1) : char.length));
}

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/** How many parts the text is sent in. A character is never split between parts, as handsets do. */
export function smsParts(text: string): { encoding: SmsEncoding; parts: number; units: number } {
  const encoding = smsEncoding(text);
  const sizes = units(text, encoding);
  const total = sizes.reduce((a, b) => a + b, 0);
  const { single, part } = LIMITS[encoding];
  if (total === 0) return { encoding, parts: 1, units: 0 };
  if (total <= single) return { encoding, parts: 1, units: total };
  let parts = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      parts++;
      used = 0;
    }
    used += size;
  }
  return { encoding, parts, units: total };
}

// Made on first use: only a message too long for its parts needs it, and loading ICU's grapheme rules took
// ~18 ms of nurture's cold start.
let segmenter: Intl.Segmenter | undefined;
function graphemesOf(text: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return [...segmenter.segment(text)].map((s) => s.segment);
}

/**
 * The body shortened (by whole graphemes, so no emoji or accent is cut in half) until body and tail together
 * fit `maxParts`; the tail (the link) is kept whole. An ellipsis marks a cut: `…` for UCS-2, `...` for GSM-7, so a
 * Latin message does not turn into a dearer UCS-2 one because of it.
 */
export function fitSms(body: string, tail: string, maxParts: number): string {
  const whole = tail === '' ? body : `${body}\n${tail}`;
  if (smsParts(whole).parts <= maxParts) return whole;
  const graphemes = graphemesOf(body);
  // Binary search on how many graphemes of the body to keep.
  let low = 0;
  let high = graphemes.length;
  const build = (n: number) => {
    const kept = graphemes.slice(0, n).join('').trimEnd();
    const mark = smsEncoding(kept + tail) === 'GSM-7' ? '...' : '…';
    const cut = n === 0 ? '' : `${kept}${mark}`;
    return cut === '' ? tail : tail === '' ? cut : `${cut}\n${tail}`;
  };
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (smsParts(build(mid)).parts <= maxParts) low = mid;
    else high = mid - 1;
  }
  return build(low);
}
