export { createMatrixAdapter, MatrixAdapter } from './adapter.js';
export {
  configFromEnv,
  MATRIX_ENV,
  type MatrixConfig,
  type MatrixConfigInput,
  matrixConfigSchema,
  normalizeMatrixUserId,
  parseMatrixConfig,
} from './config.js';
export { matrixDescriptor } from './descriptor.js';
export { MATRIX_CAPABILITIES, MATRIX_IDEMPOTENT_SEND_WINDOW_MS } from './format.js';
export { type MatrixInbound, mapMatrixInbound } from './inbound.js';
export type { MatrixTimelineEnvelope } from './timeline-envelope.js';
