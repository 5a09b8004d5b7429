/** Vite's `?worker&url` import: the URL of the worker chunk it builds (vite/client types, for the test tsconfig). */
declare module '*?worker&url' {
  const url: string;
  export default url;
}
