// Prose (a text, a request) as the assistant's context quotes it: one line, cut at a length that leaves room for
// the tables.
const MAX_TEXT = 400;

export function proseForAssistant(text: string): string {
  const t = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)} …` : text;
  return t.replace(/\n/g, ' ');
}
