export { Deliverer, type DeliveryOptions, type DeliveryReport } from './deliverer.js';
export { type ExtractedMedia, extractMedia, isSilentReply, mediaKindForPath } from './extract-media.js';
export { formatToolLine, ToolProgress, type ToolProgressMode, type ToolStart } from './tool-progress.js';
