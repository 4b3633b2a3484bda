import type { Json } from './fake-payloads.js';

/**
 * Checks message components the way Discord's form validation does for what a bot sends: action rows
 * (type 1) of 1 to 5 buttons (type 2), at most 5 rows, styles 1 to 4 with a custom_id of 1 to 100
 * characters, a label of at most 80. Returns the first problem, or undefined when the JSON is valid.
 */
export function componentProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'components must be an array';
  if (value.length > 5) return `components has ${value.length} rows; at most 5`;
  const ids = new Set<string>();
  for (const [r, row] of value.entries()) {
    const rowJson = row as Json | null;
    if (typeof rowJson !== 'object' || rowJson === null || rowJson['type'] !== 1)
      return `components[${r}] is not an action row (type 1)`;
    const buttons = rowJson['components'];
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 5)
      return `components[${r}].components must hold 1 to 5 buttons`;
    for (const [b, button] of buttons.entries()) {
      const where = `components[${r}].components[${b}]`;
      const bj = button as Json | null;
      if (typeof bj !== 'object' || bj === null || bj['type'] !== 2)
        return `${where} is not a button (type 2)`;
      const style = bj['style'];
      if (typeof style !== 'number' || style < 1 || style > 4) return `${where}.style must be 1 to 4`;
      const id = bj['custom_id'];
      if (typeof id !== 'string' || id.length < 1 || id.length > 100)
        return `${where}.custom_id must be 1 to 100 characters`;
      if (ids.has(id)) return `${where}.custom_id "${id}" is used twice on this message`;
      ids.add(id);
      const label = bj['label'];
      if (label !== undefined && (typeof label !== 'string' || [...label].length > 80))
        return `${where}.label must be at most 80 characters`;
    }
  }
  return undefined;
}
