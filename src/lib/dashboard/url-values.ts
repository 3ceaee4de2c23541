// A viewer's filter values in the dashboard's URL: the parsing lives in cells/url-values.ts, shared with the
// server's first paint of the page (server/publish/first-paint.ts), which must read a link exactly as this page does.
export * from '$cells/url-values';
