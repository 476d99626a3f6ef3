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

test('redacts quoted secrets with spaces, presigned-URL tokens and signatures, refresh tokens, SharedKey and PEM keys', () => {
  const cases: Array<[string, string]> = [
    ['password: "correct horse battery staple" next', 'correct horse'],
    ['{"client_secret": "a b\\" c", "x": 1}', 'a b'],
    ["aws_secret_access_key = 'wJal rXUtn'", 'wJal'],
    ['https://b.s3.amazonaws.com/k?X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2F&X-Amz-Signature=abcdef0123&X-Amz-Date=2024', 'IQoJb3'],
    ['https://b.s3.amazonaws.com/k?X-Amz-Signature=abcdef0123456&X-Amz-Date=2024', 'abcdef0123456'],
    ['grant_type=refresh_token&refresh_token=1//0gLx-abc&scope=x', '0gLx'],
    ['Authorization: SharedKey myaccount:ctzMq410TV3wS7upTBcunJTDLEJwMAZuFPfr0mrrA08=', 'ctzMq410'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY----- after', 'MIIEow'],
    ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq (cut short', 'MIIEvQ'],
    ['DefaultEndpointsProtocol=https;AccountName=x;AccountKey=Eby8vdM02xNO==;BlobEndpoint=y', 'Eby8vd'],
    ['https://x.blob.core.windows.net/c?sv=2024&sig=abc%2Bdef&se=2024', 'abc%2Bdef'],
  ];
  for (const [text, secret] of cases) {
    const out = redact(text);
    assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  }
  assert.match(redact(cases[0]![0]), /password: "\*\*\*" next/);
  assert.match(redact(cases[7]![0]), /after$/);
  assert.equal(redact('designation: x; signature of the file'), 'designation: x; signature of the file');
});
