// Bidi controls and marks that copy-paste from RTL text leaves around numbers and addresses.
const BIDI_MARKS = /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function stripBidiMarks(value: string): string {
  return value.replace(BIDI_MARKS, '');
}

// C0/C1 controls other than tab and newline never belong in a form value.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const LINE_BREAKS = /[\r\n\t\u2028\u2029]+/g;

/** One-line fields lose line breaks (no header injection downstream); free text keeps them. */
export function cleanValue(value: string, multiline: boolean): string {
  // A lone surrogate (from a JSON \ud83d escape) is no character at all: U+FFFD, as UTF-8 would store it.
  const cleaned = value.toWellFormed().replace(CONTROL, '');
  return (multiline ? cleaned.replace(/\r\n?/g, '\n') : cleaned.replace(LINE_BREAKS, ' ')).trim();
}
