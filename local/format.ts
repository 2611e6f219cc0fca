import { escapeTerminal } from './terminal-text';

/** Plain-text formatting helpers for the terminal summary. Cells from logs are escaped (terminal-text.ts). */

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/** Left-aligned columns, widths from the content (escaped first, so the columns stay aligned). */
export function table(header: string[], rawRows: string[][], indent = '  '): string[] {
  const rows = rawRows.map((row) => row.map((cell) => escapeTerminal(cell ?? '')));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => indent + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function bar(value: number, max: number, width = 30): string {
  if (max <= 0 || value <= 0) return '';
  return '█'.repeat(Math.max(1, Math.round((value / max) * width)));
}

export function shortTime(iso: string | undefined): string {
  return iso ? iso.replace(/:\d{2}(\.\d+)?Z$/, 'Z').replace('T', ' ') : '?';
}

const PRINCIPAL_LABELS: Record<string, string> = {
  'iam-user': 'IAM user',
  role: 'role',
  'federated-user': 'federated user',
  root: 'root',
  'aws-service': 'AWS service',
  'saml-user': 'SAML user',
  'sso-user': 'SSO user',
  'web-identity-user': 'web identity',
  'aws-account': 'AWS account',
  'ec2-instance': 'EC2 instance',
  unknown: 'unknown',
  unresolved: 'unresolved',
};

export function principalLabel(type: string): string {
  return PRINCIPAL_LABELS[type] ?? type;
}
