/**
 * Search over a large book (#27): one user's book of 50,000 rich contacts, and the list's p99 with
 * `q` (three letters, phone digits) and `label` against the plain list of the same book, in the
 * same run. The book is written straight into the API's PostgreSQL schema through the repository
 * (an import of 50,000 cards through the routes would measure the import instead), so it needs
 * DATABASE_URL.
 */
import { KnexContactRepository } from '../src/adapters/persistence/knex-contact-repository.js';
import { type ContactFields, EMPTY_CONTACT_FIELDS, phoneDigits } from '../src/domain/contact.js';
import { createDatabase } from '../src/infrastructure/database.js';

export const SEARCH_BOOK_SIZE = 50_000;
const BATCH = 5000;

const FIRST = ['Ann', 'Bob', 'Carla', 'Dmitri', 'Émile', 'Fatima', 'Günter', 'Hiro', 'Ines', 'José', 'Kwame', 'Lena', 'Mohammed', 'Nadia', 'Olu', 'Priya'];
const LAST = [
  'Smith',
  'Nguyễn',
  'García',
  'Müller',
  'Kowalski',
  'Okafor',
  'Tanaka',
  'Rossi',
  'Dubois',
  'Ivanova',
  'Patel',
  'Kim',
  'Silva',
  'Andersson',
  'Haddad',
  'Cohen',
];
const LABELS = ['Family', 'Work', 'Friends', 'Tennis', 'School', 'Neighbours', 'Doctors', 'Clients', 'Suppliers', 'Book club'];

/** A deterministic generator (mulberry32), so every run searches the same book. */
function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

/** A contact with most fields filled, as an address book synced from a phone holds. */
function richContact(i: number, rnd: (n: number) => number): ContactFields {
  const first = FIRST[rnd(FIRST.length)]!;
  const last = LAST[rnd(LAST.length)]!;
  const labels = [LABELS[rnd(LABELS.length)]!, LABELS[rnd(LABELS.length)]!];
  return {
    ...EMPTY_CONTACT_FIELDS,
    firstName: first,
    lastName: last,
    middleName: rnd(3) === 0 ? 'J' : '',
    nickname: rnd(5) === 0 ? first.slice(0, 3) : '',
    organization: `Company ${rnd(500)}`,
    jobTitle: 'Manager',
    emails: [
      { value: `${first.toLowerCase()}.${i}@example.com`, label: 'home' },
      { value: `p${i}@work${rnd(100)}.example`, label: 'work' },
    ],
    phones: [
      { value: `+1 (${200 + rnd(800)}) ${String(rnd(1000)).padStart(3, '0')}-${String(rnd(10000)).padStart(4, '0')}`, label: 'mobile' },
      { value: `030 ${1000000 + rnd(9000000)}`, label: 'work' },
    ],
    addresses: [
      {
        label: 'home',
        poBox: '',
        extended: '',
        street: `${rnd(200)} Main St`,
        locality: 'Springfield',
        region: 'IL',
        postalCode: String(10000 + rnd(80000)),
        country: 'USA',
      },
    ],
    urls: [{ value: `https://example.com/${i}`, label: 'other' }],
    birthday: `19${50 + rnd(50)}-0${1 + rnd(9)}-1${rnd(9)}`,
    notes: rnd(2) === 0 ? 'Met at the conference; likes tea.' : null,
    labels: labels[0] === labels[1] ? [labels[0]!] : labels,
  };
}

/** The book's searches: what a person types, taken from the book itself. */
export interface SearchTerms {
  letters: string;
  digits: string;
  label: string;
}

/** Writes the book into the API's database (its schema in the URL) and answers what to search for. */
export async function seedSearchBook(databaseUrl: string, userId: string): Promise<SearchTerms> {
  const database = createDatabase({ databaseUrl, dataDir: '', readPoolMax: 0 });
  const rnd = generator(27);
  let digits = '';
  try {
    for (let start = 0; start < SEARCH_BOOK_SIZE; start += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, k) => richContact(start + k, rnd));
      if (start === 0) digits = phoneDigits(batch[1234]!.phones[0]!.value).slice(1, 7);
      await database.knex.transaction((trx) =>
        new KnexContactRepository(trx).createMany(
          userId,
          batch.map((fields) => ({ fields })),
        ),
      );
    }
    await database.knex.raw('ANALYZE contacts');
  } finally {
    await database.close();
  }
  return { letters: 'ngu', digits, label: 'Tennis' };
}
