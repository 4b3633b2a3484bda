export type { CommandContext } from './context.js';
export { createCommandRegistry } from './handlers.js';
export { type ParsedCommand, parseCommand } from './parse.js';
export { CommandRegistry, type CommandOutcome, type CommandSpec } from './registry.js';
