import test from 'ava';
import { addDays, birthdayInYear, isBirthdayWithin, isLeapYear, nextBirthday, utcDay } from '../../src/domain/birthdays.js';

test('leap years follow the Gregorian rule', (t) => {
  t.deepEqual([1900, 2000, 2024, 2026, 2028, 2100].map(isLeapYear), [false, true, true, false, true, false]);
});

test('the UTC day of an instant ignores the local time zone', (t) => {
  t.is(utcDay(new Date('2026-12-31T23:59:59.999Z')), '2026-12-31');
  t.is(utcDay(new Date('2027-01-01T00:00:00+02:00')), '2026-12-31');
});

test('adding days crosses months, years and 29 February', (t) => {
  t.is(addDays('2026-12-31', 1), '2027-01-01');
  t.is(addDays('2028-02-28', 1), '2028-02-29');
  t.is(addDays('2027-02-28', 1), '2027-03-01');
  t.is(addDays('2026-12-31', 366), '2028-01-01');
  t.is(addDays('2026-06-15', 0), '2026-06-15');
});

test('a 29 February birthday falls on 28 February in common years and on 29 February in leap years', (t) => {
  t.is(birthdayInYear('2000-02-29', 2027), '2027-02-28');
  t.is(birthdayInYear('2000-02-29', 2028), '2028-02-29');
  t.is(birthdayInYear('1990-07-04', 2027), '2027-07-04');
});

test('a birthday without a year falls on its day like one with a year, 29 February on 28 February in common years', (t) => {
  t.is(birthdayInYear('--02-29', 2027), '2027-02-28');
  t.is(birthdayInYear('--02-29', 2028), '2028-02-29');
  t.is(nextBirthday('--06-14', '2026-06-15'), '2027-06-14');
  t.true(isBirthdayWithin('--01-01', '2026-12-31', 1));
  t.false(isBirthdayWithin('--01-02', '2026-12-31', 1));
});

test('the next birthday is this year while it is still to come, today included, else next year', (t) => {
  t.is(nextBirthday('1990-06-15', '2026-06-15'), '2026-06-15');
  t.is(nextBirthday('1990-06-16', '2026-06-15'), '2026-06-16');
  t.is(nextBirthday('1990-06-14', '2026-06-15'), '2027-06-14');
});

test('on 31 December a 1 January birthday is tomorrow, across the new year', (t) => {
  t.is(nextBirthday('1985-01-01', '2026-12-31'), '2027-01-01');
  t.true(isBirthdayWithin('1985-01-01', '2026-12-31', 1));
  t.false(isBirthdayWithin('1985-01-01', '2026-12-31', 0));
  t.true(isBirthdayWithin('1985-12-31', '2026-12-31', 0));
  t.false(isBirthdayWithin('1985-12-30', '2026-12-31', 7));
});

test('a 29 February birthday in a common year is on 28 February, not 1 March', (t) => {
  t.is(nextBirthday('2000-02-29', '2027-02-01'), '2027-02-28');
  t.true(isBirthdayWithin('2000-02-29', '2027-02-28', 0));
  t.false(isBirthdayWithin('2000-02-29', '2027-03-01', 300));
  t.is(nextBirthday('2000-02-29', '2027-03-01'), '2028-02-29');
});

test('a 29 February birthday in a leap year is on 29 February, not 28', (t) => {
  t.false(isBirthdayWithin('2000-02-29', '2028-02-28', 0));
  t.true(isBirthdayWithin('2000-02-29', '2028-02-28', 1));
  t.true(isBirthdayWithin('2000-02-29', '2028-02-29', 0));
  t.is(nextBirthday('2000-02-29', '2028-03-01'), '2029-02-28');
});

test('days=0 means today only', (t) => {
  t.true(isBirthdayWithin('1970-03-10', '2026-03-10', 0));
  t.false(isBirthdayWithin('1970-03-11', '2026-03-10', 0));
  t.false(isBirthdayWithin('1970-03-09', '2026-03-10', 0));
});

test('every birthday is at most 365 days away, so a window of 365 days or more holds everyone once', (t) => {
  const birthdays = ['1990-01-01', '1990-02-28', '2000-02-29', '1990-03-01', '1990-12-30', '1990-12-31'];
  for (const today of ['2026-12-31', '2027-01-01', '2027-03-01', '2028-02-29', '2028-03-01']) {
    for (const birthday of birthdays) {
      t.true(isBirthdayWithin(birthday, today, 365), `${birthday} from ${today}`);
      t.true(nextBirthday(birthday, today) >= today);
    }
  }
  t.false(isBirthdayWithin('1990-12-30', '2026-12-31', 363));
  t.true(isBirthdayWithin('1990-12-30', '2026-12-31', 364));
});
