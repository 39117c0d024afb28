import { maskUrl } from './amqp-connection.manager';

describe('maskUrl', () => {
  it.each([
    ['amqp://conveyor:s3cret@rabbit:5672/prod', 'amqp://conveyor:***@rabbit:5672/prod'],
    ['amqps://conveyor:p%40ss%3Aword@rabbit.example.com/%2F?heartbeat=10', 'amqps://conveyor:***@rabbit.example.com/%2F?heartbeat=10'],
    ['amqp://rabbit:5672', 'amqp://rabbit:5672'],
  ])('masks the password of %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });

  it('says nothing of a URL it cannot parse, which may still hold a password', () => {
    expect(maskUrl('not a url :s3cret@')).toBe('<unparseable broker URL>');
  });
});
