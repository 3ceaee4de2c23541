// One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, or starts or ends with whitespace.
// Shared by result exports in the browser and Excel conversion on the server.

export const csvField = (s: string): string =>
  /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
