// The webhook server answers with core's JSON writer; kept as a name the server modules already use.
export { sendJson as respond } from '@hermes/adapter-core';
