export {
  type EmailProxies,
  type EmailTestbed,
  type MailboxMail,
  startEmailTestbed,
  type TestbedMail,
} from './email-testbed.js';
export {
  type LoopbackProxy,
  type LoopbackProxyOptions,
  type ProxiedConnection,
  startLoopbackProxy,
} from './loopback-proxy.js';
export {
  MAIL_TEST_DOMAIN,
  MAIL_TEST_PASSWORD,
  type MailServers,
  mailServersUnavailable,
  startMailServers,
} from './mail-servers.js';
