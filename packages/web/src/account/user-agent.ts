/**
 * A short, human name for a browser from its User-Agent header ("Firefox" on "Windows"), enough to recognise a
 * session in the list; the full header is shown next to it. A part not recognised is empty; undefined when
 * neither is.
 */
export function describeUserAgent(
  userAgent: string | null,
): { readonly browser: string; readonly system: string } | undefined {
  if (userAgent === null) return undefined;
  const browser =
    BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ??
    (/^node|undici/i.test(userAgent) ? 'Node.js' : '');
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? '';
  if (browser === '' && system === '') return undefined;
  return { browser, system };
}

// Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Edg\//, 'Edge'],
  [/OPR\//, 'Opera'],
  [/Firefox\//, 'Firefox'],
  [/Chrom(e|ium)\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];

const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];
