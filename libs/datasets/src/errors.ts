/** Machine-readable reasons a dataset operation failed. */
export const DatasetErrorCode = {
  EmptyInput: 'EmptyInput',
  RaggedRow: 'RaggedRow',
  MissingTarget: 'MissingTarget',
  UnknownColumn: 'UnknownColumn',
  SingleClass: 'SingleClass',
  NonNumeric: 'NonNumeric',
  MissingValue: 'MissingValue',
  InvalidJson: 'InvalidJson',
  InvalidCsv: 'InvalidCsv',
  InvalidOption: 'InvalidOption',
  InvalidIdx: 'InvalidIdx',
  NotInstalled: 'NotInstalled',
  UnknownDataset: 'UnknownDataset',
  PathOutsideRoots: 'PathOutsideRoots',
  PathNotFound: 'PathNotFound',
  NotStaged: 'NotStaged',
  ChecksumMismatch: 'ChecksumMismatch',
  InvalidForCv: 'InvalidForCv',
} as const;
/** One of the values of `DatasetErrorCode`. */
export type DatasetErrorCode = (typeof DatasetErrorCode)[keyof typeof DatasetErrorCode];

/** Error raised for bad data, bad options or unavailable datasets; `code` says which. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  /** Why it failed. */
  readonly code: DatasetErrorCode;
  /** 1-based row of the input file, when the problem is in one row. */
  readonly row: number | undefined;
  /** Column name, when the problem is in one column. */
  readonly column: string | undefined;

  constructor(code: DatasetErrorCode, message: string, where: { row?: number; column?: string } = {}) {
    super(message);
    this.code = code;
    this.row = where.row;
    this.column = where.column;
  }
}
