// A markdown text's first line with words in it, without its markup, kept short: how a text is named in lists.
const MAX = 40;

export function firstLine(markdown: string): string {
  const line = markdown
    .split('\n')
    .map((l) =>
      l
        .replace(/^\s*([#>]+|[-*+]\s|\d+\.\s)\s*/, '')
        .replace(/[*_`]/g, '')
        .trim()
    )
    .find((l) => l !== '');
  if (!line) return '';
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}
