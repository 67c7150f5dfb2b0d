// What the playground's build (scripts/build-playground.mjs) makes of data files.
declare module '*.csv' {
  const text: string;
  export default text;
}
declare module '*.gz' {
  const bytes: Uint8Array;
  export default bytes;
}
declare module '*.css';
