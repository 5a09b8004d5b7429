import { useMemo, type ReactNode } from 'react';
import type { FileThumbnail } from '@enlets/client';
import { useI18n } from '../i18n/I18nProvider.js';
import { thumbnailBlob, useObjectUrl } from './object-url.js';
import '../styles/attachments.css';

interface ImageThumbnailProps {
  readonly name: string;
  readonly thumbnail: FileThumbnail;
  /** Opens the image preview (a click, or Enter/Space on the focused button). */
  readonly onOpen: () => void;
}

/**
 * An image's thumbnail in the timeline, from the bytes inside the encrypted message: nothing is downloaded to
 * show it. Its box has the thumbnail's shape from the first render, so the virtualized list measures the row
 * once and nothing jumps when the picture decodes.
 */
export function ImageThumbnail({ name, thumbnail, onOpen }: ImageThumbnailProps): ReactNode {
  const i18n = useI18n();
  const blob = useMemo(() => thumbnailBlob(thumbnail), [thumbnail]);
  const url = useObjectUrl(blob);
  const { width, height } = thumbnail;
  return (
    <button
      type="button"
      className="image-thumbnail"
      aria-label={i18n.t('attachments.open', { name })}
      onClick={onOpen}
    >
      <span
        className="image-thumbnail-frame"
        style={{ width: `${String(width)}px`, aspectRatio: `${String(width)} / ${String(height)}` }}
      >
        {url !== undefined && <img src={url} alt={name} width={width} height={height} />}
      </span>
    </button>
  );
}
