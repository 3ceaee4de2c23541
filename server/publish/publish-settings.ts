// What an author chooses when publishing a dashboard or changing it later. Requests may send anything, so it is
// checked here once and the rest works on typed values; the defaults of a first publish (members only, no SQL, no
// forks, no schedule) are the safe side of each choice.
import { z } from 'zod';
import { ScheduleSchema, VisibilitySchema } from '../../cells/published';

export const PublishSchema = z.object({
  visibility: VisibilitySchema.default('members'),
  showSql: z.boolean().default(false),
  allowFork: z.boolean().default(false),
  schedule: ScheduleSchema.default('off')
});
export type PublishSettings = z.infer<typeof PublishSchema>;

/** Changing a publication without rebuilding it: showing SQL is not here, as the snapshot holds it or not. */
export const UpdateSchema = z.object({
  visibility: VisibilitySchema.optional(),
  allowFork: z.boolean().optional(),
  schedule: ScheduleSchema.optional()
});
