import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { SecureSession } from '../e2ee/secure-session.js';
import type { ShownFile } from '../e2ee/worker-protocol.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { saveFile } from '../ui/save-file.js';
import { THUMBNAILED_TYPES } from './make-thumbnail.js';
import { useObjectUrl } from './object-url.js';
import '../styles/attachments.css';
import { useModalDialog } from '../ui/use-modal-dialog.js';

interface ImagePreviewDialogProps {
  readonly session: SecureSession;
  readonly conversationId: string;
  /** The message and the file's place in it: the worker finds the key there. */
  readonly seq: number;
  readonly index: number;
  readonly file: ShownFile;
  readonly onClose: () => void;
}

/** Whether a file is opened in the preview rather than saved: an image with a thumbnail to show in the chat. */
export function isPreviewable(file: ShownFile): boolean {
  return file.thumbnail !== undefined && THUMBNAILED_TYPES.has(file.mimeType);
}

/**
 * The whole image, downloaded and decrypted in the worker (with progress) and shown once it is complete and
 * verified, with Save to keep it. The decrypted bytes live in a `blob:` URL for as long as the dialog is open.
 */
export function ImagePreviewDialog({
  session,
  conversationId,
  seq,
  index,
  file,
  onClose,
}: ImagePreviewDialogProps): ReactNode {
  const i18n = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const [progress, setProgress] = useState(0);
  const [image, setImage] = useState<Blob | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const url = useObjectUrl(image);

  useModalDialog(dialog);

  useEffect(() => {
    let open = true;
    session
      .downloadFile(conversationId, seq, index, (done, total) => {
        if (open) setProgress(total === 0 ? 1 : done / total);
      })
      .then(
        (blob) => {
          if (open) setImage(blob);
        },
        () => {
          if (open) setFailed(true);
        },
      );
    return () => {
      open = false;
    };
  }, [session, conversationId, seq, index]);

  const shape = file.thumbnail;
  return (
    <dialog
      ref={dialog}
      className="image-preview"
      aria-labelledby={headingId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={headingId}>{i18n.t('attachments.previewHeading', { name: file.name })}</h2>
      <div
        className="image-preview-frame"
        style={shape === undefined ? {} : { aspectRatio: `${String(shape.width)} / ${String(shape.height)}` }}
      >
        {url !== undefined && <img src={url} alt={file.name} />}
        {url === undefined && !failed && (
          <progress
            max={1}
            value={progress}
            aria-label={i18n.t('attachments.previewDownloading', { name: file.name })}
          />
        )}
      </div>
      {failed && (
        <p className="image-preview-failure" role="alert">
          {i18n.t('attachments.previewFailed')}
        </p>
      )}
      <div className="image-preview-actions">
        <button
          type="button"
          disabled={image === undefined}
          onClick={() => {
            if (image !== undefined) saveFile(image, file.name);
          }}
        >
          {i18n.t('attachments.save')}
        </button>
        <button type="button" onClick={onClose}>
          {i18n.t('attachments.close')}
        </button>
      </div>
    </dialog>
  );
}
