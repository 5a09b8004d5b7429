import type { ReactNode } from 'react';
import type { Refusal } from './conversation-errors.js';

/** A refusal, announced to screen readers: the sentence, then the server's code in a quieter type. */
export function Refused({ refusal }: { readonly refusal: Refusal | undefined }): ReactNode {
  if (refusal === undefined) return null;
  return (
    <p className="convo-error" role="alert">
      {refusal.message}
      {refusal.code !== undefined && (
        <>
          {' '}
          <code className="convo-error-code">{refusal.code}</code>
        </>
      )}
    </p>
  );
}
