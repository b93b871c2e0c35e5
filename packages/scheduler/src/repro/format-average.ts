/** An average for a PASS/FAIL line: two decimals (288.08, not 288.0833333333333), or "not finalised". */
export function formatAverage(value: number | null | undefined): string {
  return value === null || value === undefined ? "not finalised" : value.toFixed(2);
}
