/**
 * The whitepaper's payment-split matrix (docs/model.md §1): rows are consumer types, columns
 * supplier classes; entry [i][k] is the share of one dollar of row i's income owed to class k.
 */
export type PriceMatrixRow = Readonly<Record<string, number>>;

export const WHITEPAPER_SUPPLIER_CLASSES = [
  "dedicatedServerProviders",
  "rawDataProviders",
  "dataAnnotators",
  "modelTrainingProviders",
  "modelInferenceProviders",
] as const;

export const WHITEPAPER_PRICE_MATRIX: Readonly<Record<string, PriceMatrixRow>> = {
  modelTraining: { modelTrainingProviders: 1.0 },
  aiFoundry: { dedicatedServerProviders: 1.0 },
  inferenceSeekers: { modelInferenceProviders: 1.0 },
  dataAnnotatorSeekers: { dataAnnotators: 1.0 },
  trainingToServingPipeline: { modelTrainingProviders: 0.85, modelInferenceProviders: 0.15 },
  annotationToServingPipeline: {
    dataAnnotators: 0.5,
    modelTrainingProviders: 0.4,
    modelInferenceProviders: 0.1,
  },
  endToEndAiPipeline: {
    rawDataProviders: 0.15,
    dataAnnotators: 0.15,
    modelTrainingProviders: 0.6,
    modelInferenceProviders: 0.1,
  },
};

/** Rows sum to 1 within this tolerance (docs/model.md §1). */
export const ROW_SUM_TOLERANCE = 1e-9;
