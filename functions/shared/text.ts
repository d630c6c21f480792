// Bidi controls and marks that copy-paste from RTL text leaves around numbers and addresses.
const BIDI_MARKS = /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function stripBidiMarks(value: string): string {
  return value.replace(BIDI_MARKS, '');
}
