// Reads the model's JSON answer as it streams in and hands over each element of its "cells" array the moment
// that element's closing brace arrives, so cells appear while the rest is still being written.

export class AnswerStream {
  private text = '';
  private i = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private stringStart = -1;
  /** A top-level key just read, waiting for its colon. */
  private key: string | null = null;
  private cellsNext = false;
  private cellsDepth = -1;
  private elementStart = -1;

  /** Adds a chunk; returns the cells it completed (parsed JSON, not yet validated). */
  push(chunk: string): unknown[] {
    this.text += chunk;
    const done: unknown[] = [];
    for (; this.i < this.text.length; this.i++) {
      const c = this.text[this.i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') {
          this.inString = false;
          if (this.depth === 1 && this.cellsDepth < 0)
            this.key = this.text.slice(this.stringStart + 1, this.i);
        }
        continue;
      }
      if (c === '"') {
        this.inString = true;
        this.stringStart = this.i;
      } else if (c === ':') {
        this.cellsNext = this.key === 'cells';
        this.key = null;
      } else if (c === '{' || c === '[') {
        if (c === '[' && this.cellsNext && this.depth === 1) this.cellsDepth = 2;
        else if (c === '{' && this.depth === this.cellsDepth) this.elementStart = this.i;
        this.cellsNext = false;
        this.depth++;
      } else if (c === '}' || c === ']') {
        this.depth--;
        if (c === '}' && this.depth === this.cellsDepth && this.elementStart >= 0) {
          done.push(parseOrMarker(this.text.slice(this.elementStart, this.i + 1)));
          this.elementStart = -1;
        } else if (c === ']' && this.depth === this.cellsDepth - 1) this.cellsDepth = -1;
      } else if (c === ',' && this.depth === 1) {
        this.key = null;
        this.cellsNext = false;
      }
    }
    return done;
  }

  /** The whole answer, once the stream has ended. */
  get full(): string {
    return this.text;
  }
}

/** An element that is not JSON after all; the caller reports it. */
export const NOT_JSON = Symbol('not JSON');

function parseOrMarker(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
