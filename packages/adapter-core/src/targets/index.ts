export {
  formatMessageTarget,
  type MessageTarget,
  type ParsedMessageTarget,
  parseMessageTarget,
} from './message-target.js';
