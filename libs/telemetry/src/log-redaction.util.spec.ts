import { redactPaths, scrubSecrets } from './log-redaction.util';

describe('scrubSecrets', () => {
  it.each([
    ['an AMQP URL password', 'connection to amqp://conveyor:s3cr3t-pw@rabbit:5672/vhost lost', 's3cr3t-pw', 'amqp://conveyor:[REDACTED]@rabbit:5672/vhost'],
    ['a PostgreSQL URL password', 'cannot reach postgres://app:hunter2hunter@db:5432/conveyor', 'hunter2hunter', 'postgres://app:[REDACTED]@db:5432/conveyor'],
    ['a postgresql:// URL password', 'DATABASE_URL=postgresql://u:p%40ss@db/c', 'p%40ss', 'postgresql://u:[REDACTED]@db/c'],
    ['a bearer token', 'header was Authorization: Bearer tok-alice-secret', 'tok-alice-secret', 'Bearer [REDACTED]'],
    ['a lower-case bearer token', 'authorization: bearer abcdef0123456789', 'abcdef0123456789', 'bearer [REDACTED]'],
    ['an api_key query parameter', 'GET /v1/jobs/1/stream?api_key=tok-bob-secret&last_event_id=3', 'tok-bob-secret', '?api_key=[REDACTED]&last_event_id=3'],
    ['a key query parameter (Gemini)', 'POST https://generativelanguage.googleapis.com/v1beta/models/x?key=AIzaSyD-123', 'AIzaSyD-123', '?key=[REDACTED]'],
    [
      'a webhook signing secret',
      'endpoint secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw rotated',
      'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'whsec_[REDACTED] rotated',
    ],
    ['a provider API key', 'Incorrect API key provided: sk-proj-abcdefghijklmnop1234', 'sk-proj-abcdefghijklmnop1234', 'provided: [REDACTED]'],
  ])('removes %s', (_label, text, secret, expected) => {
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain(expected);
  });

  it('removes every secret of a line, not only the first', () => {
    const scrubbed = scrubSecrets('amqp://a:pw1pw1@h and postgres://b:pw2pw2@h and Bearer tok-12345678');
    for (const secret of ['pw1pw1', 'pw2pw2', 'tok-12345678']) expect(scrubbed).not.toContain(secret);
  });

  it('leaves text without secrets as it was', () => {
    for (const text of [
      'conveyor gateway listening on http://127.0.0.1:8000',
      'postgres://app@db:5432/conveyor',
      'Authorization: Bearer <your API key>',
      'BROKER_URL: required for this service (amqp://<user>:<password>@<host>:5672)',
      'a bearer token is required',
      'Invalid configuration:\n  - PORT: Invalid input',
    ]) {
      expect(scrubSecrets(text)).toBe(text);
    }
  });

  it('keeps a serialized JSON line valid JSON', () => {
    const line = JSON.stringify({ msg: 'to "amqp://u:pw@h" via Bearer abcdefgh12345678 and ?token=\\"x\\"', note: 'a@b', url: 'http://host' });
    const scrubbed = scrubSecrets(line);
    expect(() => JSON.parse(scrubbed)).not.toThrow();
    expect(scrubbed).not.toContain('pw@');
    expect(scrubbed).not.toContain('abcdefgh12345678');
  });
});

describe('redactPaths', () => {
  it('covers each secret field at the top level and in logged objects, with headers in bracket notation', () => {
    const paths = redactPaths();
    for (const path of [
      'authorization',
      'data.authorization',
      'data.*.authorization',
      'data.*.*.authorization',
      '["x-api-key"]',
      'data.*["x-api-key"]',
      'details.*.password',
    ])
      expect(paths).toContain(path);
  });
});
