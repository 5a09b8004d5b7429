/** How long the browser gets to start saving before the object URL is released. */
const RELEASE_AFTER_MS = 60_000;

/**
 * Hands a file to the browser's download (never opened in the page): an object URL on a `download` link. The
 * name is only a suggestion the browser sanitizes; the bytes never become a document of our origin.
 */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), RELEASE_AFTER_MS);
}
