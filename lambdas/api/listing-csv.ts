import { CsvDocument, toCsv } from '../core/graph/csv';
import type { ListIndicatorsResponse, ListInvestigationsResponse } from '../core/investigation/responses';
import type { RequestOptions } from './graph-operations';

/**
 * `Accept: text/csv` on Detective's two listings, as on the graph's: the JSON answer's rows as CSV, its NextToken
 * in the `x-next-token` header. An indicator's detail is one JSON cell (its members differ by type); JSON starts
 * with `{`, and every other cell goes through csvCell, so no cell starts a spreadsheet formula.
 */
export const INVESTIGATIONS_CSV_HEADER = ['InvestigationId', 'Severity', 'Status', 'State', 'CreatedTime', 'EntityArn', 'EntityType'] as const;
export const INDICATORS_CSV_HEADER = ['InvestigationId', 'IndicatorType', 'IndicatorDetail'] as const;

export function investigationsCsv(response: ListInvestigationsResponse): CsvDocument {
  const rows = response.InvestigationDetails.map((d) => [d.InvestigationId, d.Severity, d.Status, d.State, d.CreatedTime, d.EntityArn, d.EntityType]);
  return new CsvDocument(toCsv(INVESTIGATIONS_CSV_HEADER, rows), response.NextToken);
}

export function indicatorsCsv(response: ListIndicatorsResponse): CsvDocument {
  const rows = response.Indicators.map((i) => [response.InvestigationId, i.IndicatorType, JSON.stringify(i.IndicatorDetail)]);
  return new CsvDocument(toCsv(INDICATORS_CSV_HEADER, rows), response.NextToken);
}

/** The answer as CSV when the request asked for it. */
export async function asCsvIf<T extends object>(answer: Promise<T>, options: RequestOptions, toCsvDocument: (response: T) => CsvDocument): Promise<T | CsvDocument> {
  const response = await answer;
  return options.csv ? toCsvDocument(response) : response;
}
