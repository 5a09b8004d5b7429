import { useCallback, useMemo, useState } from 'react';
import { SecureSessionError, type SecureSession } from '../e2ee/secure-session.js';
import { saveFile } from '../ui/save-file.js';

/** Where one file's download stands: its progress (0 to 1), or why it failed. */
export interface DownloadState {
  readonly progress: number;
  readonly failure?: string;
}

export interface Downloads {
  /** By `${seq}:${index}`. */
  readonly states: ReadonlyMap<string, DownloadState>;
  readonly download: (seq: number, index: number, name: string) => void;
}

export const downloadKey = (seq: number, index: number): string => `${String(seq)}:${String(index)}`;

/**
 * Downloads of a conversation's files: the worker fetches and decrypts each one; only a whole, verified file is
 * handed to the browser to save (a tampered or cut-off one fails and nothing is saved).
 */
export function useDownloads(session: SecureSession, conversationId: string): Downloads {
  const [states, setStates] = useState<ReadonlyMap<string, DownloadState>>(new Map());
  const set = useCallback((key: string, state: DownloadState | undefined) => {
    setStates((current) => {
      const next = new Map(current);
      if (state === undefined) next.delete(key);
      else next.set(key, state);
      return next;
    });
  }, []);

  const download = useCallback(
    (seq: number, index: number, name: string) => {
      const key = downloadKey(seq, index);
      set(key, { progress: 0 });
      session
        .downloadFile(conversationId, seq, index, (done, total) =>
          set(key, { progress: total === 0 ? 1 : done / total }),
        )
        .then(
          (blob) => {
            saveFile(blob, name);
            set(key, undefined);
          },
          (error: unknown) =>
            set(key, {
              progress: 0,
              failure: error instanceof SecureSessionError ? (error.code ?? error.name) : 'INTERNAL',
            }),
        );
    },
    [session, conversationId, set],
  );
  // One object while nothing changed: the timeline's rows are re-rendered when it changes.
  return useMemo(() => ({ states, download }), [states, download]);
}
