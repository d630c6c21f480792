/**
 * A template parameter as WhatsApp takes it: no line breaks or tabs, no run of more than four spaces (Meta
 * refuses those, error 132018), never empty, and no user text that WhatsApp would read as formatting (*bold*,
 * _italic_, ~strike~, ```mono```): those marks become look-alikes that format nothing.
 */
const FORMATTING: Record<string, string> = { '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' };

export function whatsappParam(text: string, maxLength = 200): string {
  const flat = text
    .replace(/[\r\n\t\u2028\u2029\v\f]+/g, ' ')
    .replace(/ {4,}/g, '   ')
    .replace(/[*_~`]/g, (c) => FORMATTING[c] ?? c)
    .trim();
  const chars = [...flat];
  const clipped = chars.length <= maxLength ? flat : `${chars.slice(0, maxLength - 1).join('')}…`;
  return clipped === '' ? '—' : clipped;
}
