/**
 * What a member chooses to show their contacts: available, busy, do not disturb, away, or `offline` ("appear
 * offline", which looks exactly like not being connected). Its own module because both the REST account view
 * (`Me`) and the realtime frames use it, and those two must not import each other.
 */
export const AVAILABILITIES = ['available', 'busy', 'dnd', 'away', 'offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

/** The longest status text a member may set (the `presence` frame's limit). */
export const MAX_STATUS_TEXT = 140;
