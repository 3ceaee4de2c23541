// Roles in a workspace and what each may do.
import { z } from 'zod';

export const RoleSchema = z.enum(['owner', 'editor', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

const RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

export const atLeast = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

export const canWrite = (role: Role): boolean => atLeast(role, 'editor');
