const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attributes. Every user-supplied value goes through it. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Header values never carry line breaks (no header injection). */
export function headerSafe(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

/** A display name in a From header: RFC 2047 encoded when it is not plain ASCII. */
export function formatAddress(name: string, address: string): string {
  const safe = headerSafe(name).replace(/["\\]/g, '');
  const encoded = /^[\x20-\x7e]*$/.test(safe)
    ? `"${safe}"`
    : `=?UTF-8?B?${Buffer.from(safe).toString('base64')}?=`;
  return `${encoded} <${address}>`;
}
