/** Kind of learning problem a dataset poses. */
export const Task = { Classification: 'classification', Regression: 'regression' } as const;
/** One of the values of `Task`. */
export type Task = (typeof Task)[keyof typeof Task];

/** Kind of a feature column. */
export const FeatureKind = { Numeric: 'numeric', Categorical: 'categorical' } as const;
/** One of the values of `FeatureKind`. */
export type FeatureKind = (typeof FeatureKind)[keyof typeof FeatureKind];

/** How missing values in the input are handled. */
export const MissingPolicy = {
  Reject: 'reject',
  DropRows: 'drop-rows',
  Mean: 'mean',
  MostFrequent: 'most-frequent',
} as const;
/** One of the values of `MissingPolicy`. */
export type MissingPolicy = (typeof MissingPolicy)[keyof typeof MissingPolicy];

/** One input column before encoding; categorical columns list their categories in encoding order. */
export interface ColumnSchema {
  name: string;
  kind: FeatureKind;
  categories?: string[];
}

/** The original schema of a dataset: its input columns (before one-hot encoding) and its target. */
export interface DatasetSchema {
  target: string;
  columns: ColumnSchema[];
  /** The column the group ids came from, when the data has one. */
  groups?: string;
}

/** A held-out test split that cross-validation never sees. */
export interface HeldOut {
  X: Float32Array;
  y: Float64Array;
  nSamples: number;
}

/** A dataset in memory, ready for splitting and training; shared between callers, never mutate it. */
export interface Dataset {
  name: string;
  /** sha256 hex of the canonical content (see `datasetHash`). */
  hash: string;
  task: Task;
  nSamples: number;
  nFeatures: number;
  /** Row-major nSamples × nFeatures. */
  X: Float32Array;
  /** Class index 0..k-1 for classification, the value for regression. */
  y: Float64Array;
  /** Original labels; index = class id. */
  classes?: (string | number)[];
  featureNames: string[];
  /** After encoding every feature is numeric; the original kinds live in `schema`. */
  featureKinds: FeatureKind[];
  schema: DatasetSchema;
  /** Height, width, channels for image data (row-major pixels, channels last). */
  imageShape?: [number, number, number];
  /** Largest possible pixel value for image data (255 for bytes, 16 for digits). */
  imageMax?: number;
  heldOut?: HeldOut;
  /** Group id of each sample (0..g−1, in sorted order of the original values), for group-aware splitting. */
  groups?: Int32Array;
}
