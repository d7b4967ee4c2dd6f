declare module 'libqp' {
  /** Decodes quoted-printable text (RFC 2045) into its bytes; `=` at a line end is a soft break. */
  export function decode(text: string): Buffer;
  const libqp: { decode: typeof decode };
  export default libqp;
}
