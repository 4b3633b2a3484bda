// The build (tsup's text loader) and the tests (a vitest plugin) both turn an imported .html file into its text.
declare module '*.html' {
  const text: string;
  export default text;
}
