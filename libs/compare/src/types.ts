// Shared vocabulary of the comparison tests.

/** Direction of the alternative hypothesis about a − b (or about the location of the differences). */
export const Alternative = { TwoSided: 'two-sided', Greater: 'greater', Less: 'less' } as const;
/** One of the values of {@link Alternative}. */
export type Alternative = (typeof Alternative)[keyof typeof Alternative];

/** The result every test returns: its statistic and p-value. */
export interface TestResult {
  statistic: number;
  pValue: number;
}
