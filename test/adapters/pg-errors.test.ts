import test from 'ava';
import knex from 'knex';
import { isDatabaseUnavailable } from '../../src/adapters/persistence/pg-errors.js';
import { EmailTaken } from '../../src/domain/user.errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('connection-level failures are recognised as the database being unavailable', (t) => {
  const unavailable: unknown[] = [
    new knex.KnexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full.'),
    withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    withCode('read ECONNRESET', 'ECONNRESET'),
    withCode('connect ETIMEDOUT 10.0.0.1:5432', 'ETIMEDOUT'),
    new Error('select "users".* from "users" where "users"."id" = $1 - Connection terminated unexpectedly'),
    new Error('Connection terminated due to connection timeout'),
    new Error('timeout exceeded when trying to connect'),
    new Error('select 1 - Query read timeout'),
    new Error('timeout expired'),
    withCode('terminating connection due to administrator command', '57P01'),
    withCode('the database system is starting up', '57P03'),
    withCode('connection failure', '08006'),
    withCode('sorry, too many clients already', '53300'),
    withCode('canceling statement due to statement timeout', '57014'),
    Object.assign(new Error('wrapped by Objection'), { nativeError: withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED') }),
    new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')]),
  ];
  for (const error of unavailable) t.true(isDatabaseUnavailable(error), String(error));
});

test('problems with a query itself, and everything else, are not', (t) => {
  const others: unknown[] = [
    withCode('duplicate key value violates unique constraint', '23505'),
    withCode('syntax error at or near "selec"', '42601'),
    withCode('invalid input syntax for type uuid', '22P02'),
    new EmailTaken(),
    new Error('Something mentions a Connection terminated somewhere in the middle'),
    new Error('boom'),
    'Connection terminated',
    null,
    undefined,
  ];
  for (const error of others) t.false(isDatabaseUnavailable(error), String(error));
});

test('a foreign-key violation (a write for an account deleted meanwhile) is recognised, wrapped or not', async (t) => {
  const { isForeignKeyViolation } = await import('../../src/adapters/persistence/pg-errors.js');
  t.true(isForeignKeyViolation(withCode('insert or update on table "contacts" violates foreign key constraint', '23503')));
  t.true(isForeignKeyViolation({ nativeError: withCode('violates foreign key constraint', '23503') }));
  t.false(isForeignKeyViolation(withCode('duplicate key', '23505')));
  t.false(isForeignKeyViolation(null));
});
