import { useEffect, useState } from 'react';
import { base64ToBytes, type FileThumbnail } from '@enlets/client';

/**
 * A `blob:` URL for `blob` while the component shows it, revoked when it changes or the component goes (rows of
 * the virtualized timeline come and go as they scroll): the bytes are released with the last user.
 */
export function useObjectUrl(blob: Blob | undefined): string | undefined {
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (blob === undefined) {
      setUrl(undefined);
      return undefined;
    }
    const created = URL.createObjectURL(blob);
    setUrl(created);
    return () => {
      URL.revokeObjectURL(created);
    };
  }, [blob]);
  return url;
}

/** The thumbnail's bytes as an image Blob of its (codec-checked) type. */
export function thumbnailBlob(thumbnail: FileThumbnail): Blob {
  return new Blob([Uint8Array.from(base64ToBytes(thumbnail.data))], { type: thumbnail.mimeType });
}
