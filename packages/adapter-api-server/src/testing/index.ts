export {
  type ApiServerEchoHost,
  type EchoHostOptions,
  type EchoReply,
  startApiServerEchoHost,
} from './echo-host.js';
