export type { CommandContext } from './context.js';
export { createCommandRegistry } from './handlers.js';
export { type ParsedCommand, parseCommand } from './parse.js';
export { type CommandOutcome, CommandRegistry, type CommandSpec } from './registry.js';
