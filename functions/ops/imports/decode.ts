import { TextDecoder } from 'node:util';
import { HttpError } from '../../shared/errors.ts';
import * as z from '../../shared/zod.ts';

/**
 * Encodings a spreadsheet arrives in. UTF-8 and UTF-16 (Meta's lead download) are recognised by their byte-order
 * mark; a file from Excel's plain "CSV" on an Arabic or Persian Windows is in the ANSI code page (1256), which no
 * byte says: the importer names it.
 */
export const FileEncoding = z.enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1256', 'windows-1252']);
export type FileEncoding = z.infer<typeof FileEncoding>;

const BOMS: { bytes: number[]; encoding: FileEncoding }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/** Files that are not text, by their first bytes: said by name, since "not UTF-8" would not help. */
const NOT_TEXT: { magic: number[]; what: string }[] = [
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'an Excel workbook (.xlsx) or another zip file' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Excel workbook (.xls)' },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF' },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** UTF-16 without a mark: most characters of a lead list are ASCII, so every other byte is zero. */
function sniffUtf16(bytes: Uint8Array): FileEncoding | undefined {
  const sample = bytes.subarray(0, Math.min(bytes.length, 4096));
  if (sample.length < 4 || sample.length % 2 !== 0) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? evenZeros++ : oddZeros++;
  const half = sample.length / 2;
  if (oddZeros > half * 0.3 && evenZeros === 0) return 'utf-16le';
  if (evenZeros > half * 0.3 && oddZeros === 0) return 'utf-16be';
  return undefined;
}

const UTF8_HELP =
  'Save it as "CSV UTF-8" (Excel: File › Save As › CSV UTF-8), or name its encoding, e.g. encoding=windows-1256 for a file from an Arabic or Persian Windows.';

/**
 * The file's text. A byte-order mark decides; else the named encoding; else UTF-16 by its zeros; else strict
 * UTF-8. A file that is none of these is refused whole with what to do, never read as mojibake.
 */
export function decodeFile(
  bytes: Uint8Array,
  named?: FileEncoding,
): { text: string; encoding: FileEncoding } {
  for (const { magic, what } of NOT_TEXT)
    if (startsWith(bytes, magic))
      throw new HttpError(415, 'not_a_spreadsheet_text', `This file is ${what}, not CSV text. ${UTF8_HELP}`);
  const bom = BOMS.find((b) => startsWith(bytes, b.bytes));
  const encoding = bom?.encoding ?? named ?? sniffUtf16(bytes) ?? 'utf-8';
  const body = bom ? bytes.subarray(bom.bytes.length) : bytes;
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(body);
  } catch {
    throw new HttpError(
      422,
      'wrong_encoding',
      `The file is not valid ${encoding === 'utf-8' ? 'UTF-8' : encoding} text. ${UTF8_HELP}`,
    );
  }
  // NUL never belongs in text: a binary file, or UTF-16 read as something else.
  if (text.includes('\u0000'))
    throw new HttpError(
      422,
      'wrong_encoding',
      `The file holds NUL characters: it is binary, or in another encoding than ${encoding}. ${UTF8_HELP}`,
    );
  return { text, encoding };
}
