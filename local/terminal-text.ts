/**
 * Strings from logs reach the terminal (principal names, user agents, session names, error messages), and
 * log data is written by attackers: an ESC sequence in a role session name can clear the screen, move the
 * cursor or retitle the window, and a bidi override can make `evil` read as `live`. Every terminal output
 * path prints through `escapeTerminal`, which shows such characters instead of obeying them:
 * C0 controls (tab and newline included: every string printed is one line), DEL, C1 controls as `\xHH`;
 * bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F,
 * U+061C) as `\uHHHH`. Backslashes are left alone, so escaping twice changes nothing.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Writes lines, each escaped, to stdout (or `stream`); the only newlines printed are the ones between lines. */
export function printLines(lines: readonly string[], stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(`${lines.map(escapeTerminal).join('\n')}\n`);
}

/**
 * CSV text (RFC 4180: CRLF row ends, cells with CR, LF or quotes quoted) for a terminal: each row end outside
 * quotes becomes a newline, and everything else goes through escapeTerminal, so a CR, LF or tab inside a quoted
 * cell shows as `\x0d`, `\x0a`, `\x09` (a cell cannot fake a row, nor a row end rewrite a line) and ESC or
 * bidi controls from logs are shown, not obeyed. Only for terminals: files and pipes get the CSV as it is.
 */
export function escapeCsvForTerminal(csv: string): string {
  let out = '';
  let quoted = false;
  let start = 0;
  for (let i = 0; i < csv.length; i++) {
    if (csv[i] === '"') quoted = !quoted;
    else if (!quoted && csv[i] === '\r' && csv[i + 1] === '\n') {
      out += `${escapeTerminal(csv.slice(start, i))}\n`;
      i++;
      start = i + 1;
    }
  }
  return out + escapeTerminal(csv.slice(start));
}
