// The open notebook's comments, handed to each cell's frame (its badge) through Svelte's context. Absent where
// cells render outside a live notebook (component tests' harness): the frame then shows no badge.
import { getContext, setContext } from 'svelte';
import type { NotebookComments } from './comments.svelte';

const KEY = Symbol('sheaf notebook comments');

export const setCommentsContext = (comments: NotebookComments): NotebookComments => setContext(KEY, comments);

export const commentsContext = (): NotebookComments | null =>
  getContext<NotebookComments | undefined>(KEY) ?? null;
