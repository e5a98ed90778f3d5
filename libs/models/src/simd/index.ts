export { createSimdEngine } from './engine';
export { simdSupported } from './kernels';
