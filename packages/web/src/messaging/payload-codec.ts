/**
 * The one place that turns what a person writes into an event's payload bytes and back. Today the payload is
 * the text as UTF-8; end-to-end encryption (docs/decisions/0011-e2ee-design.md) replaces this module with one
 * that seals and opens the bytes through packages/client, and nothing else in the web client changes.
 */

/** What a message event carries for the UI. */
export interface MessageContent {
  readonly text: string;
}

const encoder = new TextEncoder();
// `fatal`: bytes that are not UTF-8 are not a message we can show, rather than one with replacement marks.
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMessage(content: MessageContent): Uint8Array {
  return encoder.encode(content.text);
}

/** The content of a payload, or null when it cannot be read (the UI says so instead of guessing). */
export function decodeMessage(payload: Uint8Array): MessageContent | null {
  try {
    return { text: decoder.decode(payload) };
  } catch {
    return null;
  }
}
