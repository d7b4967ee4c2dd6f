import test from 'ava';
import { clientIpKey } from '../../src/adapters/rate-limit/throttle-key.js';

test('an IPv6 address counts as its /64, however it is written', (t) => {
  const spellings = [
    '2001:db8:1:2::1',
    '2001:db8:1:2:ffff::9',
    '2001:0db8:0001:0002:0000:0000:0000:0001',
    '2001:DB8:1:2:abcd:ef01:2345:6789',
    '2001:db8:1:2::1%eth0',
    '2001:db8:1:2::',
    '2001:db8:1:2:0:0:1.2.3.4',
  ];
  for (const ip of spellings) t.is(clientIpKey(ip), '2001:db8:1:2::/64', ip);
});

test('another /64 is another client', (t) => {
  t.is(clientIpKey('2001:db8:1:3::1'), '2001:db8:1:3::/64');
  t.not(clientIpKey('2001:db8:1:3::1'), clientIpKey('2001:db8:1:2::1'));
  t.is(clientIpKey('::1'), '0:0:0:0::/64');
  t.is(clientIpKey('fe80::1%25'), 'fe80:0:0:0::/64');
  t.is(clientIpKey('2001:db8::1'), '2001:db8:0:0::/64');
});

test('an IPv4-mapped IPv6 address is that IPv4 address, and IPv4 stays per address', (t) => {
  t.is(clientIpKey('::ffff:1.2.3.4'), '1.2.3.4');
  t.is(clientIpKey('::FFFF:1.2.3.4'), '1.2.3.4');
  t.is(clientIpKey('0:0:0:0:0:ffff:102:304'), '1.2.3.4');
  t.is(clientIpKey('1.2.3.4'), '1.2.3.4');
  t.not(clientIpKey('1.2.3.5'), clientIpKey('1.2.3.4'));
  t.is(clientIpKey('::ffff:127.0.0.1'), '127.0.0.1');
});

test('what is not an address is kept as given', (t) => {
  for (const input of ['unknown', '', 'not-an-ip', '2001:db8::1::2', '[2001:db8::1]', '1.2.3.4:80']) t.is(clientIpKey(input), input);
});
