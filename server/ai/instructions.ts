// What the model is asked to do, and the JSON it must answer with.
import { z } from 'zod';
import { AnswerSchema } from './answer';

export const SYSTEM_INSTRUCTION = `You are the analysis assistant inside Sheaf, a collaborative SQL notebook.
Answer a request by writing new notebook cells, as JSON matching the given schema:
- "explanation": one or two sentences for the person who asked (plain text, no markdown).
- "cells": in order. Kinds:
  - "sql": a read-only query (SELECT/WITH only). "name" is its result table (a new snake_case identifier); later
    cells can read it by that name. "engine" is "local" for uploaded files and earlier results (DuckDB SQL), or the
    connection's engine id for its tables (that database's SQL dialect); one query cannot mix engines.
    "columns" lists the columns the query returns, exactly as named. A query may use an input cell's value
    (the cells list them as Input "name") as {{name}}, or {{name.start}} and {{name.end}} for a date range, never
    inside quotes: it is bound as a typed parameter. A multi-select is a list: = any({{name}}) in PostgreSQL,
    list_contains({{name}}, column) in DuckDB, in ({{name}}) in MySQL.
  - "chart": a chart of a SQL result ("source" is its name): "mark" is one of bar, line, area, point, arc, rect,
    boxplot, histogram; "x", "y", "color", "size", "column" are {field, type: quantitative|nominal|ordinal|temporal,
    aggregate?: count|sum|mean|median|min|max|distinct, timeUnit?: year|yearquarter|yearmonth|yearmonthdate,
    sort?: ascending|descending|-y|y}. Fields must be columns of the source.
  - "text": markdown for the reader (findings, caveats). No HTML.
Use only the tables and columns described. Keep queries small and correct rather than clever.`;

export const FIX_INSTRUCTION = `You fix a failing SQL query in Sheaf, a collaborative SQL notebook. Answer with JSON:
{"sql": the corrected query, "explanation": one sentence on what was wrong}. Keep the query's intent and its
result columns; use only the tables and columns described.`;

export const FixSchema = z.object({ sql: z.string().min(1).max(20_000), explanation: z.string().max(2000) });

/**
 * The JSON Schema Gemini is given (responseJsonSchema), in the subset it reads: anyOf rather than oneOf, enum
 * rather than const, no $schema or defaults.
 */
export const answerJsonSchema = () => forGemini(z.toJSONSchema(AnswerSchema, { io: 'input' }));
export const fixJsonSchema = () => forGemini(z.toJSONSchema(FixSchema, { io: 'input' }));

function forGemini(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forGemini);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema' || k === 'default') continue;
    if (k === 'oneOf') out.anyOf = forGemini(v);
    else if (k === 'const') out.enum = [v];
    else out[k] = forGemini(v);
  }
  return out;
}
