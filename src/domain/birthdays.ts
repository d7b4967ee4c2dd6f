/**
 * Calendar arithmetic for birthdays, on `YYYY-MM-DD` strings read as UTC dates; a birthday may also
 * be a day without a year, `--MM-DD`. A 29 February birthday is celebrated on 28 February in
 * common years.
 */

const DAY_MS = 86_400_000;

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** The UTC calendar day of an instant, as `YYYY-MM-DD`. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` moved by a number of days. */
export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

function parts(day: string): { year: number; month: number; date: number } {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return { year, month, date };
}

/** Month and day of a birthday written `YYYY-MM-DD` or `--MM-DD`. */
export function monthAndDay(birthday: string): { month: number; date: number } {
  return { month: Number(birthday.slice(-5, -3)), date: Number(birthday.slice(-2)) };
}

/** Whether a birthday is a day without a year (`--MM-DD`). */
export function isYearless(birthday: string): boolean {
  return birthday.startsWith('--');
}

function format(year: number, month: number, date: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(date).padStart(2, '0')}`;
}

/** The day a birthday falls on in a given year. */
export function birthdayInYear(birthday: string, year: number): string {
  const { month, date } = monthAndDay(birthday);
  return format(year, month, month === 2 && date === 29 && !isLeapYear(year) ? 28 : date);
}

/** The first day on or after `today` on which the birthday falls. */
export function nextBirthday(birthday: string, today: string): string {
  const { year } = parts(today);
  const thisYear = birthdayInYear(birthday, year);
  return thisYear >= today ? thisYear : birthdayInYear(birthday, year + 1);
}

/** Whether the birthday falls from `today` through `today + days`, both included. */
export function isBirthdayWithin(birthday: string, today: string, days: number): boolean {
  return nextBirthday(birthday, today) <= addDays(today, days);
}
