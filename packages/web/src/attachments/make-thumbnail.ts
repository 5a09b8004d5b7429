import { bytesToBase64, MAX_THUMBNAIL_BYTES, type FileThumbnail } from '@enlets/client';

/**
 * Thumbnails of images, made in the secure worker before the file is encrypted and uploaded. The picture is
 * decoded and drawn again at a small size, then encoded afresh: the new file has the pixels only, none of the
 * original's metadata (EXIF location, camera, author), which would otherwise leak through the thumbnail to
 * whoever sees the message without opening the file. The thumbnail travels inside the encrypted message only.
 */

/** The image types a thumbnail is made of (what browsers decode everywhere; SVG is a document, not a picture). */
export const THUMBNAILED_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
]);

/** Beyond this, decoding a picture on the sending device costs more memory than a preview is worth. */
const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

/** Tried in order until the encoded thumbnail fits the codec's limit (a few KB in practice, at the first). */
const ATTEMPTS = [
  { side: 320, quality: 0.72 },
  { side: 240, quality: 0.6 },
  { side: 160, quality: 0.5 },
] as const;

/** The size that fits `width`×`height` into a `side`-pixel square, keeping the shape (never enlarging). */
export function fitWithin(
  width: number,
  height: number,
  side: number,
): { readonly width: number; readonly height: number } {
  const scale = Math.min(1, side / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * A thumbnail of `file`, or undefined when it is not an image this makes thumbnails of, cannot be decoded here,
 * or no attempt fits the limit: the file is then sent without one and shows as a plain file.
 */
export async function makeThumbnail(file: Blob): Promise<FileThumbnail | undefined> {
  if (!THUMBNAILED_TYPES.has(file.type) || file.size > MAX_SOURCE_BYTES) return undefined;
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas === 'undefined') return undefined;
  let bitmap: ImageBitmap;
  try {
    // Turned as the camera meant it (the orientation tag is read here, then dropped with the rest).
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return undefined;
  }
  try {
    for (const { side, quality } of ATTEMPTS) {
      const size = fitWithin(bitmap.width, bitmap.height, side);
      const encoded = await encode(bitmap, size.width, size.height, quality);
      if (encoded === undefined) return undefined;
      const bytes = new Uint8Array(await encoded.blob.arrayBuffer());
      if (bytes.length > 0 && bytes.length <= MAX_THUMBNAIL_BYTES)
        return { mimeType: encoded.mimeType, data: bytesToBase64(bytes), ...size };
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    bitmap.close();
  }
}

/** WebP where the browser encodes it (small, keeps transparency), otherwise JPEG on white. */
async function encode(
  bitmap: ImageBitmap,
  width: number,
  height: number,
  quality: number,
): Promise<{ readonly blob: Blob; readonly mimeType: 'image/webp' | 'image/jpeg' } | undefined> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (context === null) return undefined;
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  const webp = await canvas.convertToBlob({ type: 'image/webp', quality });
  // A browser without a WebP encoder answers with PNG instead: large, so JPEG it is.
  if (webp.type === 'image/webp') return { blob: webp, mimeType: 'image/webp' };
  context.globalCompositeOperation = 'destination-over';
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  const jpeg = await canvas.convertToBlob({ type: 'image/jpeg', quality });
  return jpeg.type === 'image/jpeg' ? { blob: jpeg, mimeType: 'image/jpeg' } : undefined;
}
