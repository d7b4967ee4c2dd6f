import { utcDay } from '../../domain/birthdays.js';
import { toContactView, validateBirthdayWindow, type ContactView } from '../../domain/contact.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface UpcomingBirthdaysDeps {
  repos: Pick<Repositories, 'contacts'>;
  clock: Clock;
}

/** How many days ahead (NaN when unreadable); 7 when absent. */
export interface UpcomingBirthdaysInput {
  days?: number;
}

/** The caller's contacts whose birthday falls from today through today + `days` (UTC), soonest first. */
export function makeUpcomingBirthdays(deps: UpcomingBirthdaysDeps) {
  return async function upcomingBirthdays(ownerId: string, input: UpcomingBirthdaysInput): Promise<{ items: ContactView[] }> {
    const days = validateBirthdayWindow(input);
    const contacts = await deps.repos.contacts.upcomingBirthdays(ownerId, utcDay(deps.clock.now()), days);
    return { items: contacts.map(toContactView) };
  };
}
