// What an input cell's shared `config` map holds: the widget, its settings, its default and its current value.
// Any client can write the document, so every key is checked on read (readKeyByKey): a bad key reads as unset.
import { z } from 'zod';
import { readKeyByKey } from '../read-config';

export const WIDGETS = [
  'text',
  'number',
  'slider',
  'dropdown',
  'multiselect',
  'date',
  'daterange',
  'checkbox'
] as const;
export type Widget = (typeof WIDGETS)[number];

export const WIDGET_LABELS: Record<Widget, string> = {
  text: 'Text',
  number: 'Number',
  slider: 'Slider',
  dropdown: 'Dropdown',
  multiselect: 'Multi-select',
  date: 'Date',
  daterange: 'Date range',
  checkbox: 'Checkbox'
};

/** A choice in a dropdown or multi-select: text or a number, as the query compares it. */
export const OptionSchema = z.union([z.string().max(1000), z.number().finite()]);
export type Option = z.infer<typeof OptionSchema>;

/** Where a dropdown's choices come from: a typed list, or the distinct values of a column of an earlier result. */
export const OptionsSchema = z.discriminatedUnion('from', [
  z.object({ from: z.literal('list'), values: z.array(OptionSchema).max(1000) }),
  z.object({ from: z.literal('column'), source: z.string().max(63), column: z.string().max(300) })
]);
export type Options = z.infer<typeof OptionsSchema>;

export const InputConfigSchema = z.object({
  widget: z.enum(WIDGETS).default('text'),
  /** Shown above the control; the cell's name when empty. */
  label: z.string().max(200).default(''),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  step: z.number().finite().positive().optional(),
  options: OptionsSchema.default({ from: 'list', values: [] }),
  /** A multi-select with nothing chosen matches every row instead of none. */
  emptyMeansAll: z.boolean().default(false),
  /** Checked against the widget when read (inputValue), so a value of the wrong type reads as unset. */
  default: z.unknown().optional(),
  value: z.unknown().optional()
});
export type InputConfig = z.infer<typeof InputConfigSchema>;

export const readInputConfig = (raw: Record<string, unknown>): InputConfig =>
  readKeyByKey(InputConfigSchema, raw);
