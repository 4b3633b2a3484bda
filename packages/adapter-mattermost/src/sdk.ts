import * as sdkNamespace from '@mattermost/client';

type Sdk = typeof sdkNamespace;

/**
 * `@mattermost/client` is CommonJS whose exports are getters Node's ESM loader cannot see, so
 * `import { Client4 } from '@mattermost/client'` fails under plain Node ESM ("Named export 'Client4' not
 * found"). The namespace import works everywhere: Node ESM puts module.exports on `default`, bundlers and
 * the CommonJS build put the names on the namespace itself.
 */
const sdk: Sdk =
  typeof sdkNamespace.Client4 === 'function'
    ? sdkNamespace
    : (sdkNamespace as unknown as { default: Sdk }).default;

export const Client4 = sdk.Client4;
export type Client4 = InstanceType<Sdk['Client4']>;
export const WebSocketClient = sdk.WebSocketClient;
