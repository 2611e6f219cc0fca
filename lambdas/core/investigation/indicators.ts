import { INDICATOR_TYPES, isOneOf, type Indicator, type IndicatorType } from './model';
import { isStringRecord } from './pagination';

/**
 * Indicator sort keys: `<IndicatorType>#<zero-padded sequence>`. A type filter is then a `begins_with` key
 * condition, and the keys are a pure function of the list written (the n-th indicator of a type is always
 * `<type>#<n>`), so writing the same list again overwrites the same items instead of adding copies.
 */
const SEQUENCE_DIGITS = 6;
const SORT_KEY = new RegExp(`^([A-Z_]+)#(\\d{${SEQUENCE_DIGITS}})$`);

export function indicatorSortKey(type: IndicatorType, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 0 || sequence >= 10 ** SEQUENCE_DIGITS) throw new Error(`indicator sequence out of range: ${sequence}`);
  return `${type}#${String(sequence).padStart(SEQUENCE_DIGITS, '0')}`;
}

/** The key prefix of one type, or of every type when none is given (`begins_with` needs a non-empty value, so undefined). */
export function indicatorTypePrefix(type: IndicatorType | undefined): string | undefined {
  return type === undefined ? undefined : `${type}#`;
}

export interface KeyedIndicator {
  sk: string;
  indicator: Indicator;
}

/** Assigns each indicator its sequence within its type, in list order. */
export function keyIndicators(indicators: readonly Indicator[]): KeyedIndicator[] {
  const counters = new Map<IndicatorType, number>();
  return indicators.map((indicator) => {
    const sequence = counters.get(indicator.IndicatorType) ?? 0;
    counters.set(indicator.IndicatorType, sequence + 1);
    return { sk: indicatorSortKey(indicator.IndicatorType, sequence), indicator };
  });
}

export type IndicatorKey = Record<'investigationId' | 'sk', string>;

/** A resume key is only accepted for the same investigation and inside the requested type's key range. */
export function isIndicatorKeyFor(investigationId: string, type: IndicatorType | undefined) {
  return (value: unknown): value is IndicatorKey => {
    if (!isStringRecord(value, ['investigationId', 'sk'] as const) || value.investigationId !== investigationId) return false;
    const match = SORT_KEY.exec(value.sk);
    return match !== null && isOneOf(INDICATOR_TYPES, match[1]) && (type === undefined || match[1] === type);
  };
}
