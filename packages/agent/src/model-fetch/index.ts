export { ModelFetchAbortError, ModelFetchError, type ModelFetchErrorCode } from './fetch-errors.js';
export {
  createModelFetch,
  type FetchFunction,
  type ModelFetch,
  type ModelFetchOptions,
} from './model-fetch.js';
