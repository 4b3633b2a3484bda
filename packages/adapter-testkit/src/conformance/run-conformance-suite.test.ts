import { createEchoChatDriver } from '../../test/reference/echo-chat-driver.js';
import { runConformanceSuite } from './run-conformance-suite.js';

// Every scenario runs, none skipped: the reference adapter supports everything the contract models.
runConformanceSuite(createEchoChatDriver('echo-chat (full)'));

// The same adapter with features off: unsupported scenarios are registered as skipped with the reason,
// the optional-method scenarios check the methods are absent, and group messages need a mention.
runConformanceSuite(
  createEchoChatDriver('echo-chat (minimal)', {
    features: { threads: false, media: false, edit: false, delete: false, typing: false, reactions: false },
    lengthUnit: 'byte',
    markdown: 'plain',
    maxMessageLength: 400,
    requireMention: true,
  }),
);
