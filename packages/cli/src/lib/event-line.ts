import { ContentFormatError, decodeContent, type MessageContent, type SecureEvent } from '@enlets/client';
import { formatTime } from './table.js';

/**
 * One line of `read` and `tail`: seq, time, sender, and what the event says after decryption. Handshakes
 * (`mls.commit`) are the group's key changes, not something anyone wrote: they get no line (undefined).
 */
export function eventLine(shown: SecureEvent): string | undefined {
  const { event } = shown;
  let text: string;
  switch (shown.status) {
    case 'handshake':
      return undefined;
    case 'system':
      text = `[system] ${JSON.stringify(event.system ?? {})}`;
      break;
    case 'deleted':
      text = event.deletedByManager ? '(deleted by manager)' : '(deleted)';
      break;
    case 'unavailable':
      text = `[unreadable: ${shown.reason ?? 'this device has no key for it'}]`;
      break;
    case 'refused':
      text = `[refused: ${shown.reason ?? 'it failed a security check'}]`;
      break;
    case 'decrypted':
    case 'own':
      text = shown.content === null ? '[unreadable: no content]' : contentText(shown.content);
      break;
    case 'shared':
      text = `[shared by ${shown.sharedBy ?? 'a member'}] ${shown.content === null ? '' : contentText(shown.content)}`;
      break;
  }
  if (shown.status !== 'system' && event.kind !== 'message')
    text = `[${event.kind}${event.refSeq === null ? '' : ` #${String(event.refSeq)}`}] ${text}`;
  // One event, one line: a newline in a message must not forge another line for scripts reading the output.
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return `${String(event.seq)}  ${formatTime(event.createdAt)}  ${event.senderId ?? 'system'}  ${oneLine}`;
}

/** Decrypted bytes as text: a malformed content (another client's bug, or a malicious one) is named, not shown. */
function contentText(bytes: Uint8Array): string {
  let content: MessageContent;
  try {
    content = decodeContent(bytes);
  } catch (error) {
    if (error instanceof ContentFormatError) return `[unreadable: ${error.message}]`;
    throw error;
  }
  switch (content.type) {
    case 'text':
    case 'edit':
      return content.text;
    case 'reaction':
      return content.emoji;
    case 'poll':
      return `[poll] ${content.question} (${content.options.join(' | ')})`;
    case 'location':
      return `[location] ${String(content.latitude)}, ${String(content.longitude)}${content.label === undefined ? '' : ` ${content.label}`}`;
    case 'files': {
      const files = content.files.map((f) => f.name).join(', ');
      return `${content.text === undefined ? '' : `${content.text} `}[files: ${files}]`;
    }
    case 'history-share':
      return `[history shared with ${content.recipientId}: #${String(content.fromSeq)}–#${String(content.toSeq)}]`;
  }
}
