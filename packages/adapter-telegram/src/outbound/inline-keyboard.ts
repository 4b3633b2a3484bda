import { AdapterError, type MessageAction } from '@hermes/adapter-core';
import {
  TELEGRAM_BUTTONS_PER_ROW,
  TELEGRAM_CALLBACK_DATA_MAX_BYTES,
  TELEGRAM_PLATFORM,
} from '../constants.js';

export interface TelegramInlineKeyboard {
  inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
}

/** Telegram shows button labels on one line; longer ones are cut with an ellipsis by the client anyway. */
const LABEL_MAX = 64;

/**
 * The buttons of a message as an inline keyboard, two per row. An action id is the button's
 * callback_data, which Telegram caps at 64 bytes: a longer (or empty, or repeated) id is refused before
 * anything is posted, since a trimmed id would come back as a different action.
 */
export function inlineKeyboardOf(actions: readonly MessageAction[]): TelegramInlineKeyboard {
  const ids = new Set<string>();
  const buttons = actions.map((a, i) => {
    const bytes = Buffer.byteLength(a.id, 'utf8');
    if (bytes === 0 || bytes > TELEGRAM_CALLBACK_DATA_MAX_BYTES) {
      throw new AdapterError(
        'bad_request',
        `button ${i + 1} ("${a.label}") has an id of ${bytes} bytes; Telegram needs 1-${TELEGRAM_CALLBACK_DATA_MAX_BYTES}`,
        {
          platform: TELEGRAM_PLATFORM,
          retryable: false,
          fix: `use MessageAction ids of at most ${TELEGRAM_CALLBACK_DATA_MAX_BYTES} bytes (e.g. a short key that maps to the full data)`,
        },
      );
    }
    if (ids.has(a.id)) {
      throw new AdapterError(
        'bad_request',
        `two buttons share the id "${a.id}"; a press could not tell them apart`,
        {
          platform: TELEGRAM_PLATFORM,
          retryable: false,
          fix: 'give every MessageAction of a message its own id',
        },
      );
    }
    ids.add(a.id);
    const label = a.label.trim() === '' ? a.id : a.label;
    return { text: [...label].slice(0, LABEL_MAX).join(''), callback_data: a.id };
  });
  const rows: TelegramInlineKeyboard['inline_keyboard'] = [];
  for (let i = 0; i < buttons.length; i += TELEGRAM_BUTTONS_PER_ROW) {
    rows.push(buttons.slice(i, i + TELEGRAM_BUTTONS_PER_ROW));
  }
  return { inline_keyboard: rows };
}

/** What removes a message's keyboard in an edit. */
export const NO_KEYBOARD: TelegramInlineKeyboard = { inline_keyboard: [] };
