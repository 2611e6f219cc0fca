import { table } from '../../local/format';
import { investigationReport } from '../../local/investigation-report';
import { escapeCsvForTerminal, escapeTerminal, printLines } from '../../local/terminal-text';

/**
 * Strings from logs must not drive the terminal: every control character and bidi override is shown,
 * visibly, instead of obeyed.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('escapeTerminal', () => {
  it('shows C0, DEL and C1 controls as \\xHH and bidi controls as \\uHHHH', () => {
    expect(escapeTerminal('a\x1b[2Jb')).toBe('a\\x1b[2Jb');
    expect(escapeTerminal('\x1b]0;title\x07')).toBe('\\x1b]0;title\\x07');
    expect(escapeTerminal('x\ny\r\tz\x00\x7f\x85\x9b')).toBe('x\\x0ay\\x0d\\x09z\\x00\\x7f\\x85\\x9b');
    expect(escapeTerminal('evil\u202etxt.exe')).toBe('evil\\u202etxt.exe');
    expect(escapeTerminal('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c')).toBe(
      '\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c',
    );
  });

  it('leaves ordinary text (accents, CJK, emoji, box drawing, backslashes) alone, and is idempotent', () => {
    const text = 'José 東京 🐕 █ → C:\\Users\\x1b';
    expect(escapeTerminal(text)).toBe(text);
    const crafted = 'a\x1b[31mb\u202ec';
    expect(escapeTerminal(escapeTerminal(crafted))).toBe(escapeTerminal(crafted));
  });

  it('escapes every one of the 65,536 BMP code units it should, and no other', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates
      expect([code, escapeTerminal(char) !== char]).toEqual([code, UNSAFE.test(char)]);
    }
  });
});

describe('terminal output paths', () => {
  it('printLines escapes each line and separates lines with the only newlines', () => {
    const chunks: string[] = [];
    printLines(['name: a\x1b[2J', 'next\nline'], { write: (chunk: string) => chunks.push(chunk) } as unknown as NodeJS.WritableStream);
    expect(chunks.join('')).toBe('name: a\\x1b[2J\nnext\\x0aline\n');
  });

  it('table escapes cells before measuring them, so columns stay aligned', () => {
    const lines = table(['NAME', 'CALLS'], [['evil\x1b[2J', '3'], ['alice', '10']]);
    expect(lines.filter((line) => UNSAFE.test(line))).toEqual([]);
    expect(lines).toEqual(['  NAME         CALLS', '  -----------  -----', '  evil\\x1b[2J  3', '  alice        10']);
  });

  it('the investigation report escapes entity ARNs, user agents and locations', () => {
    const lines = investigationReport({
      investigation: { InvestigationId: '1', EntityArn: 'arn:aws:iam::111122223333:user/evil\x1b[2J', EntityType: 'IAM_USER', Status: 'SUCCESSFUL', State: 'ACTIVE', Severity: 'HIGH', $metadata: {} },
      indicators: [
        { IndicatorType: 'NEW_USER_AGENT', IndicatorDetail: { NewUserAgentDetail: { UserAgent: 'curl\x1b]0;owned\x07', IsNewForEntireAccount: true } } },
        { IndicatorType: 'NEW_GEOLOCATION', IndicatorDetail: { NewGeolocationDetail: { Location: 'Paris\u202eecnarF', IpAddress: '198.51.100.7', IsNewForEntireAccount: false } } },
      ],
    });
    expect(lines.filter((line) => UNSAFE.test(line))).toEqual([]);
    const text = lines.join('\n');
    expect(text).toContain('user/evil\\x1b[2J');
    expect(text).toContain('curl\\x1b]0;owned\\x07');
    expect(text).toContain('Paris\\u202eecnarF');
  });
});

describe('escapeCsvForTerminal', () => {
  it('ends a line only at a row end outside quotes; CR, LF and tab in a quoted cell, ESC and bidi controls are shown', () => {
    const csv = 'A,B\r\n"x\r\ny",\x1b[2J\r\n"say ""hi""\tthere",\u202eevil\r\nlast,row';
    expect(escapeCsvForTerminal(csv)).toBe('A,B\n"x\\x0d\\x0ay",\\x1b[2J\n"say ""hi""\\x09there",\\u202eevil\nlast,row');
    // A stray CR or LF outside quotes ends no row either.
    expect(escapeCsvForTerminal('a\rb\nc\r\n')).toBe('a\\x0db\\x0ac\n');
    expect(escapeCsvForTerminal('')).toBe('');
  });
});
