export {
  type FakeHomeAssistant,
  type FakeHomeAssistantEntity,
  type FakeHomeAssistantNotification,
  type FakeHomeAssistantOptions,
  type FakeHomeAssistantServiceCall,
  startFakeHomeAssistant,
} from './fake-server.js';
