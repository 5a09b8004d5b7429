/**
 * Whole WebSocket frames built by the server itself. A server's frames are never masked (RFC 6455, 5.1), so the
 * frame of an event is the same bytes for each of its recipients: fan-out builds it once and writes those bytes
 * to every socket, instead of having `ws` frame the payload again (a header buffer, a cork, two writes) for
 * each of them.
 */

declare const framed: unique symbol;

/** The bytes of one complete, final, unmasked text frame (header and payload), ready for the socket. */
export type TextFrame = Buffer & { readonly [framed]: true };

const FIN_TEXT = 0x81;
const MAX_16_BIT = 0xffff;

/** Frames `payload` (UTF-8 JSON) as one text frame. */
export function textFrame(payload: string | Buffer): TextFrame {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = body.length;
  const headerLength = length < 126 ? 2 : length <= MAX_16_BIT ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (length < 126) {
    frame[1] = length;
  } else if (length <= MAX_16_BIT) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  body.copy(frame, headerLength);
  return frame as TextFrame;
}
