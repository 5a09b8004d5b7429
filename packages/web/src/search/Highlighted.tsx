import { Fragment, type ReactNode } from 'react';
import type { SearchHighlight } from '../e2ee/worker-protocol.js';
import { splitHighlights } from './highlight.js';

/** A snippet with its matched words in `<mark>`: text nodes only, never markup built from the text. */
export function Highlighted({
  text,
  highlights,
}: {
  readonly text: string;
  readonly highlights: readonly SearchHighlight[];
}): ReactNode {
  return (
    <>
      {splitHighlights(text, highlights).map((part, index) =>
        part.marked ? <mark key={index}>{part.text}</mark> : <Fragment key={index}>{part.text}</Fragment>,
      )}
    </>
  );
}
