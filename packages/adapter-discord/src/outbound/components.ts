import { AdapterError, type MessageAction } from '@hermes/adapter-core';
import { DISCORD_PLATFORM } from '../constants.js';

/** Discord's component limits (API v10 message components). */
export const DISCORD_CUSTOM_ID_MAX = 100;
export const DISCORD_BUTTON_LABEL_MAX = 80;
export const DISCORD_BUTTONS_PER_ROW = 5;
export const DISCORD_ROWS_MAX = 5;

/** Component types and button styles used here (discord.js names: ActionRow, Button, ButtonStyle). */
const ACTION_ROW = 1;
const BUTTON = 2;
const STYLE: Record<NonNullable<MessageAction['style']> | 'default', number> = {
  primary: 1,
  default: 2,
  danger: 4,
};

export interface DiscordButton {
  type: typeof BUTTON;
  style: number;
  label: string;
  custom_id: string;
}

export interface DiscordActionRow {
  type: typeof ACTION_ROW;
  components: DiscordButton[];
}

/**
 * The action rows carrying the host's buttons. An id Discord would refuse (empty, over 100 characters)
 * or more buttons than 5 rows of 5 fail the send before anything is posted: a press could never come back.
 */
export function discordActionRows(actions: readonly MessageAction[]): DiscordActionRow[] {
  const max = DISCORD_BUTTONS_PER_ROW * DISCORD_ROWS_MAX;
  if (actions.length > max) {
    throw new AdapterError(
      'bad_request',
      `${actions.length} buttons on one message; Discord shows at most ${max}`,
      {
        platform: DISCORD_PLATFORM,
        retryable: false,
        fix: `send at most ${max} actions per message`,
      },
    );
  }
  const buttons = actions.map((action): DiscordButton => {
    if (action.id === '' || action.id.length > DISCORD_CUSTOM_ID_MAX) {
      throw new AdapterError(
        'bad_request',
        `button id "${action.id.slice(0, 20)}…" is ${action.id.length} characters; Discord custom_id takes 1 to ${DISCORD_CUSTOM_ID_MAX}`,
        { platform: DISCORD_PLATFORM, retryable: false, fix: 'use a shorter action id' },
      );
    }
    return {
      type: BUTTON,
      style: STYLE[action.style ?? 'default'],
      label: cutLabel(action.label),
      custom_id: action.id,
    };
  });
  const rows: DiscordActionRow[] = [];
  for (let i = 0; i < buttons.length; i += DISCORD_BUTTONS_PER_ROW) {
    rows.push({ type: ACTION_ROW, components: buttons.slice(i, i + DISCORD_BUTTONS_PER_ROW) });
  }
  return rows;
}

/** Discord refuses an empty label or one over 80 characters; a long label is cut, not the message. */
function cutLabel(label: string): string {
  const chars = [...label.trim()];
  if (chars.length === 0) return '…';
  return chars.length <= DISCORD_BUTTON_LABEL_MAX
    ? chars.join('')
    : `${chars.slice(0, DISCORD_BUTTON_LABEL_MAX - 1).join('')}…`;
}
