// @ts-check
/**
 * Every spelling of a platform name the generated files need, derived once from the kebab-case name
 * the contributor typed, so that no template has to re-derive (and possibly disagree on) a casing.
 */

/** Lowercase words of letters and digits joined by single dashes, starting with a letter. */
const NAME_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const ENV_PREFIX_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const MAX_NAME_LENGTH = 40;
// Labels land inside generated string literals and Markdown: letters, digits, spaces and a few safe signs only.
const LABEL_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} .&+()-]{0,59}$/u;

/**
 * @typedef {object} PlatformNames
 * @property {string} kebab        `home-assistant`: folder and npm name suffix, as typed
 * @property {string} id           `home_assistant`: the platform id (ChatRef.platform, `platforms.<id>` in config.yaml),
 *                                 snake_case like the Python gateway's `api_server`
 * @property {string} pascal       `HomeAssistant`: class and type names
 * @property {string} camel        `homeAssistant`: value names (`homeAssistantConfigSchema`)
 * @property {string} constant     `HOME_ASSISTANT`: exported constants (`HOME_ASSISTANT_ENV`, `HOME_ASSISTANT_CAPABILITIES`)
 * @property {string} envPrefix    `HOME_ASSISTANT` unless overridden: prefix of every env var (`HOME_ASSISTANT_BOT_TOKEN`)
 * @property {string} label        `Home Assistant`: what people read in the wizard and docs
 * @property {string} packageName  `@hermes/adapter-home-assistant`
 * @property {string} folderName   `adapter-home-assistant`
 */

/**
 * Why a name is refused, in words that tell the contributor what to type instead; undefined when it is fine.
 * @param {string} name
 * @returns {string | undefined}
 */
export function nameProblem(name) {
  if (name.length === 0) return 'the platform name is empty; pass one, e.g. `pnpm create-adapter rocketchat`';
  if (name.length > MAX_NAME_LENGTH) return `"${name}" is longer than ${MAX_NAME_LENGTH} characters`;
  if (name.startsWith('adapter-')) {
    return `"${name}" already starts with "adapter-"; pass only the platform part ("${name.slice('adapter-'.length)}"), the folder gets the prefix`;
  }
  if (!NAME_PATTERN.test(name)) {
    return `"${name}" is not a valid platform name: use lowercase letters, digits and single dashes, starting with a letter (e.g. "rocketchat", "google-chat")`;
  }
  return undefined;
}

/**
 * @param {string} prefix
 * @returns {string | undefined}
 */
export function envPrefixProblem(prefix) {
  if (!ENV_PREFIX_PATTERN.test(prefix)) {
    return `"${prefix}" is not a valid env var prefix: use UPPER_SNAKE_CASE starting with a letter (e.g. "HASS")`;
  }
  return undefined;
}

/**
 * @param {string} label
 * @returns {string | undefined}
 */
export function labelProblem(label) {
  if (!LABEL_PATTERN.test(label)) {
    return `"${label}" is not a usable label: letters, digits, spaces and . & + ( ) - only, at most 60 characters`;
  }
  return undefined;
}

/**
 * @param {string} word
 * @returns {string}
 */
function capitalise(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * @param {string} name  a name that passed `nameProblem`
 * @param {{ envPrefix?: string | undefined; label?: string | undefined }} [overrides]
 *   `envPrefix` for platforms whose Python Hermes env vars do not follow the name (Home Assistant uses `HASS_`)
 * @returns {PlatformNames}
 */
export function derivePlatformNames(name, overrides = {}) {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new Error(problem);
  if (overrides.envPrefix !== undefined) {
    const prefixProblem = envPrefixProblem(overrides.envPrefix);
    if (prefixProblem !== undefined) throw new Error(prefixProblem);
  }
  if (overrides.label !== undefined) {
    const problemWithLabel = labelProblem(overrides.label);
    if (problemWithLabel !== undefined) throw new Error(problemWithLabel);
  }
  const words = name.split('-');
  const pascal = words.map(capitalise).join('');
  const constant = words.map((w) => w.toUpperCase()).join('_');
  return {
    kebab: name,
    id: words.join('_'),
    pascal,
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    constant,
    envPrefix: overrides.envPrefix ?? constant,
    label: overrides.label ?? words.map(capitalise).join(' '),
    packageName: `@hermes/adapter-${name}`,
    folderName: `adapter-${name}`,
  };
}
