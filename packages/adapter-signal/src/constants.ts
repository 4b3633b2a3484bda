export const SIGNAL_PLATFORM = 'signal';

/** Signal clients accept longer bodies, but the Python gateway splits at 8000 and so do we. */
export const SIGNAL_MAX_MESSAGE_LENGTH = 8000;

/** The attachment cap of the Python gateway (Signal's own server limit is about the same). */
export const SIGNAL_MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;

/** Group chats are `group:<base64 group id>`; everything else is a phone number or a service id. */
export const SIGNAL_GROUP_PREFIX = 'group:';
