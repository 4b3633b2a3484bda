import type { MessageAction } from '@hermes/adapter-core';

/** Cloud API limits of interactive messages. */
export const INTERACTIVE_LIMITS = {
  maxButtons: 3,
  buttonTitle: 20,
  buttonId: 256,
  buttonBody: 1024,
  maxRows: 10,
  rowTitle: 24,
  rowId: 200,
  listBody: 4096,
  listButton: 20,
} as const;

export type InteractivePlan =
  | { kind: 'buttons' | 'list'; bodyLimit: number; build(body: string): Record<string, unknown> }
  | { kind: 'none'; reason: string };

function clip(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * How a message's actions become WhatsApp UI: up to 3 reply buttons, else a list of up to 10 rows.
 * More than 10 actions, or ids longer than the platform takes, cannot be shown: `none`, and the text
 * (which always says how to answer without buttons) goes out alone.
 */
export function planInteractive(actions: readonly MessageAction[]): InteractivePlan {
  if (actions.length === 0) return { kind: 'none', reason: 'no actions' };
  if (
    actions.length <= INTERACTIVE_LIMITS.maxButtons &&
    actions.every((a) => a.id.length <= INTERACTIVE_LIMITS.buttonId)
  ) {
    const titles = uniqueTitles(actions, INTERACTIVE_LIMITS.buttonTitle);
    return {
      kind: 'buttons',
      bodyLimit: INTERACTIVE_LIMITS.buttonBody,
      build: (body) => ({
        type: 'button',
        body: { text: body },
        action: {
          buttons: actions.map((a, i) => ({ type: 'reply', reply: { id: a.id, title: titles[i] } })),
        },
      }),
    };
  }
  if (actions.length > INTERACTIVE_LIMITS.maxRows) {
    return {
      kind: 'none',
      reason: `${actions.length} actions, more than a list's ${INTERACTIVE_LIMITS.maxRows} rows`,
    };
  }
  if (actions.some((a) => a.id.length > INTERACTIVE_LIMITS.rowId)) {
    return { kind: 'none', reason: `an action id is longer than ${INTERACTIVE_LIMITS.rowId} characters` };
  }
  const titles = uniqueTitles(actions, INTERACTIVE_LIMITS.rowTitle);
  return {
    kind: 'list',
    bodyLimit: INTERACTIVE_LIMITS.listBody,
    build: (body) => ({
      type: 'list',
      body: { text: body },
      action: {
        button: 'Choose',
        sections: [{ title: 'Options', rows: actions.map((a, i) => ({ id: a.id, title: titles[i] })) }],
      },
    }),
  };
}

/** Titles clipped to the limit; Meta refuses two equal titles in one message, so clashes get a number. */
function uniqueTitles(actions: readonly MessageAction[], max: number): string[] {
  const seen = new Set<string>();
  return actions.map((a, i) => {
    let title = clip(a.label || a.id, max);
    if (seen.has(title)) title = clip(`${i + 1}. ${a.label || a.id}`, max);
    seen.add(title);
    return title;
  });
}
