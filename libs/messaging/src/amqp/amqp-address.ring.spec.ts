import { AmqpAddressRing } from './amqp-address.ring';

describe('AmqpAddressRing', () => {
  it('gives amqplib one target object and rewrites it in place for each next address, round the ring', () => {
    const ring = new AmqpAddressRing(['amqp://u:p%40ss@node-a:5672/v%2Fx', 'amqps://node-b', 'amqp://node-c:5673/'], 10);
    const target = ring.target;
    expect(target).toMatchObject({ protocol: 'amqp', hostname: 'node-a', port: 5672, username: 'u', password: 'p@ss', vhost: 'v%2Fx', heartbeat: 10 });
    ring.advance();
    expect(ring.target).toBe(target);
    expect(target).toMatchObject({ protocol: 'amqps', hostname: 'node-b', port: 5671, username: 'guest', password: 'guest', vhost: '/' });
    ring.advance();
    expect(target).toMatchObject({ hostname: 'node-c', port: 5673, vhost: '/' });
    expect(ring.current).toBe('amqp://node-c:5673/');
    ring.advance();
    expect(target).toMatchObject({ hostname: 'node-a', port: 5672 });
    expect(ring.size).toBe(3);
  });

  it('takes the configured heartbeat over the URL’s, and the frame settings from the query', () => {
    const ring = new AmqpAddressRing(['amqp://a/?heartbeat=60&frameMax=8192&channelMax=10'], 5);
    expect(ring.target).toMatchObject({ heartbeat: 5, frameMax: 8192, channelMax: 10 });
  });
});
