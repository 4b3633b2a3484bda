export { type AccessDecision, authorize, nothingAllowed } from './authorize.js';
export {
  type ApproveResult,
  type GenerateCodeResult,
  PAIRING,
  PairingStore,
  type PendingView,
} from './pairing-store.js';
