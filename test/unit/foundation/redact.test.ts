import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact } from '../../../src/core/redact';

test('redacts AWS keys, secrets, bearer tokens, account ids and GUIDs', () => {
  const text = 'key AKIAIOSFODNN7EXAMPLE secretAccessKey=wJalrXUtnFEMI/K7MDENG account 123456789012 '
    + 'sub 0a1b2c3d-1111-2222-3333-444455556666 Authorization: Bearer eyJhbGciOi.abc.def';
  const out = redact(text);
  for (const secret of ['IOSFODNN7EXAMPLE', 'wJalrXUtnFEMI', '123456789012', '0a1b2c3d-1111', 'eyJhbGciOi']) {
    assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  }
  assert.match(out, /AKIA\*+/);
});

test('leaves ordinary text alone', () => {
  assert.equal(redact('p3.2xlarge in us-east-1 costs $3.06/h'), 'p3.2xlarge in us-east-1 costs $3.06/h');
});
