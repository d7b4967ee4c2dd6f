import test from 'ava';
import fc from 'fast-check';
import { EMPTY_CONTACT_FIELDS, type ContactFields, LABELS_MAX, LIST_MAX } from '../../src/domain/contact.js';
import { type DuplicateKeys, duplicateKeysOf, findDuplicateGroups, mergeContactFields, phoneKey } from '../../src/domain/duplicates.js';

const fields = (more: Partial<ContactFields>): ContactFields => ({ ...EMPTY_CONTACT_FIELDS, ...more });
const contact = (id: string, more: Partial<ContactFields>) => duplicateKeysOf({ id, ...fields(more) });
const email = (value: string, label = 'other') => ({ value, label });
const phone = email;

test('phoneKey: formatting, a country code and a trunk prefix make no difference; an extension is left out; short numbers compare whole', (t) => {
  const same = ['+1 (555) 010-0100', '1-555-010-0100', '555.010.0100', '(555) 010 0100 x12', '+1 555 010 0100 ext. 7', '555 010 0100;ext=9'];
  t.deepEqual(new Set(same.map(phoneKey)), new Set(['550100100']));
  t.is(phoneKey('+44 20 7946 0958'), phoneKey('020 7946 0958'));
  t.is(phoneKey('0049 30 1234567'), phoneKey('+49 30 1234567'));
  t.is(phoneKey('555-0102'), '5550102');
  t.not(phoneKey('555-0102'), phoneKey('555-0103'));
  t.is(phoneKey('12-34'), null);
});

test('contacts sharing an email (any case), a phone or a full name (case and accents aside) are grouped with the reason', (t) => {
  const groups = findDuplicateGroups([
    contact('a', { firstName: 'Ann', emails: [email('ann@example.com')] }),
    contact('b', { firstName: 'Bob', phones: [phone('+1 555 010 0100')] }),
    contact('c', { firstName: 'Anna', emails: [email('other@example.com'), email('ANN@Example.com')] }),
    contact('d', { firstName: 'Robert', phones: [phone('(555) 010-0100')] }),
    contact('e', { firstName: 'Zoë', lastName: 'Ångström' }),
    contact('f', { firstName: 'zoe', lastName: 'angstrom ' }),
    contact('g', { firstName: '', organization: 'Acme' }),
    contact('h', { firstName: '', organization: 'Acme' }),
    contact('i', { firstName: 'Alone' }),
  ]);
  t.deepEqual(groups, [
    { reason: 'email', ids: ['a', 'c'] },
    { reason: 'phone', ids: ['b', 'd'] },
    { reason: 'name', ids: ['e', 'f'] },
  ]);
});

test('links are transitive and a contact is in one group only, whose reason is its strongest link', (t) => {
  const groups = findDuplicateGroups([
    contact('1', { firstName: 'Sam', lastName: 'Lee' }),
    contact('2', { firstName: 'Sam', lastName: 'Lee', phones: [phone('555-0199')] }),
    contact('3', { firstName: 'Samuel', phones: [phone('5550199')], emails: [email('s@example.com')] }),
    contact('4', { firstName: 'S.', emails: [email('S@example.com')] }),
    contact('5', { firstName: 'Pat', lastName: 'Kim' }),
    contact('6', { firstName: 'Pat', lastName: 'Kim' }),
  ]);
  t.deepEqual(groups, [
    { reason: 'email', ids: ['1', '2', '3', '4'] },
    { reason: 'name', ids: ['5', '6'] },
  ]);
});

test('property: every contact is in at most one group, every group has two or more, and the answer does not depend on how links were found', (t) => {
  const keyOf = fc.record({
    emails: fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 2 }),
    phones: fc.array(fc.constantFrom('1', '2', '3'), { maxLength: 2 }),
    name: fc.constantFrom('', 'x', 'y'),
  });
  fc.assert(
    fc.property(fc.array(keyOf, { maxLength: 30 }), (list) => {
      const contacts: DuplicateKeys[] = list.map((k, i) => ({ id: String(i), emails: [...new Set(k.emails)], phones: [...new Set(k.phones)], name: k.name }));
      const groups = findDuplicateGroups(contacts);
      const seen = groups.flatMap((g) => g.ids);
      if (new Set(seen).size !== seen.length) return false;
      if (groups.some((g) => g.ids.length < 2)) return false;
      // Two contacts sharing any key are in the same group.
      const groupOf = new Map(groups.flatMap((g, n) => g.ids.map((id) => [id, n] as const)));
      for (const a of contacts)
        for (const b of contacts) {
          const shared = a.emails.some((e) => b.emails.includes(e)) || a.phones.some((p) => b.phones.includes(p)) || (a.name !== '' && a.name === b.name);
          if (a !== b && shared && (groupOf.get(a.id) === undefined || groupOf.get(a.id) !== groupOf.get(b.id))) return false;
        }
      // The reason is email when any two members share an email.
      for (const g of groups) {
        const members = contacts.filter((c) => g.ids.includes(c.id));
        const anyEmail = members.some((a) => members.some((b) => a !== b && a.emails.some((e) => b.emails.includes(e))));
        if (anyEmail !== (g.reason === 'email')) return false;
      }
      return true;
    }),
  );
  t.pass();
});

test('grouping 50,000 contacts takes well under a second', (t) => {
  const contacts = Array.from({ length: 50_000 }, (_, i) =>
    contact(String(i), { firstName: `P${i % 40_000}`, emails: [email(`p${i % 45_000}@example.com`)], phones: [phone(`+1 555 ${String(i).padStart(7, '0')}`)] }),
  );
  const started = performance.now();
  const groups = findDuplicateGroups(contacts);
  t.true(performance.now() - started < 1000);
  // i, i + 5,000 (by name: i + 45,000 and i + 5,000 are P(i + 5,000)), i + 40,000 (name) and i + 45,000 (email).
  t.is(groups.length, 5_000);
  t.deepEqual(groups[0], { reason: 'email', ids: ['0', '5000', '40000', '45000'] });
});

test('merge: the kept contact’s values stay, its empty fields filled from the others in order', (t) => {
  const kept = fields({ firstName: 'Ann', lastName: '', organization: 'Acme', notes: null, birthday: null });
  const merged = mergeContactFields(kept, [
    fields({ firstName: 'Anna', lastName: 'Lee', organization: 'Other', jobTitle: 'CTO', birthday: '--05-17', notes: 'first note' }),
    fields({ lastName: 'Leigh', nickname: 'Annie', notes: 'second note', anniversary: '2001-02-03' }),
  ]);
  t.like(merged, {
    firstName: 'Ann',
    lastName: 'Lee',
    organization: 'Acme',
    jobTitle: 'CTO',
    nickname: 'Annie',
    birthday: '--05-17',
    notes: 'first note',
    anniversary: '2001-02-03',
  });
});

test('merge: lists and labels united without repeats, the kept entries first with their labels', (t) => {
  const address = { label: 'home', poBox: '', extended: '', street: '1 Main St', locality: 'Springfield', region: '', postalCode: '', country: '' };
  const merged = mergeContactFields(
    fields({
      firstName: 'Ann',
      emails: [email('ann@example.com', 'home')],
      phones: [phone('+1 555 010 0100', 'mobile')],
      addresses: [address],
      labels: ['Family'],
    }),
    [
      fields({
        emails: [email('ANN@example.com', 'work'), email('ann@work.example', 'work')],
        phones: [phone('+1 (555) 010-0100', 'home'), phone('555 010 0100', 'home')],
        addresses: [{ ...address, label: 'work', street: '1  main st ', locality: 'SPRINGFIELD' }],
        urls: [email('https://ann.example/'), email('https://ANN.example')],
        labels: ['family', 'Friends'],
      }),
    ],
  );
  t.deepEqual(merged.emails, [email('ann@example.com', 'home'), email('ann@work.example', 'work')]);
  // The same digits are one phone; without the country code they are another way to write it, kept.
  t.deepEqual(merged.phones, [phone('+1 555 010 0100', 'mobile'), phone('555 010 0100', 'home')]);
  t.deepEqual(merged.addresses, [address]);
  t.deepEqual(merged.urls, [email('https://ann.example/')]);
  t.deepEqual(merged.labels, ['Family', 'Friends']);
});

test('merge: lists past their limit keep their first entries', (t) => {
  const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => email(`${prefix}${i}@example.com`));
  const labels = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const merged = mergeContactFields(fields({ firstName: 'A', emails: many('k', 15), labels: labels('k', 40) }), [
    fields({ emails: many('o', 15), labels: labels('o', 40) }),
  ]);
  t.is(merged.emails.length, LIST_MAX);
  t.deepEqual(merged.emails.slice(14, 16), [email('k14@example.com'), email('o0@example.com')]);
  t.is(merged.labels.length, LABELS_MAX);
  t.is(merged.labels.at(-1), 'o9');
});
