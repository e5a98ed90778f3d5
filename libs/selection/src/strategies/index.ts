export * from './strategy';
export { createSobol, SOBOL_MAX_DIM, type Sobol } from './sobol';
export { splitGoodBad, type TpeSpec, type TpeTrial } from './tpe';
