import { loadConfig } from './conveyor-config';
import { parseBrokerUrls } from './broker-urls.util';

describe('parseBrokerUrls', () => {
  it('reads one URL, or several separated by commas (spaces and empty entries ignored), in order', () => {
    expect(parseBrokerUrls('amqp://u:p@a:5672/v')).toEqual(['amqp://u:p@a:5672/v']);
    expect(parseBrokerUrls(' amqp://a:5672 , amqps://b:5671/v,,amqp://c ')).toEqual(['amqp://a:5672', 'amqps://b:5671/v', 'amqp://c']);
  });

  it('refuses a list with any address that is not an amqp:// or amqps:// URL', () => {
    expect(parseBrokerUrls('amqp://a:5672,http://b')).toBeNull();
    expect(parseBrokerUrls('amqp://a:5672,b:5672')).toBeNull();
    expect(parseBrokerUrls(' , ')).toBeNull();
  });

  it('is what the typed config validates BROKER_URL with, listing the addresses as broker.urls', () => {
    const config = loadConfig({ BROKER_URL: 'amqp://a:5672,amqp://b:5673' });
    expect(config.broker.urls).toEqual(['amqp://a:5672', 'amqp://b:5673']);
    expect(() => loadConfig({ BROKER_URL: 'amqp://a:5672,nonsense' })).toThrow(/BROKER_URL: must be amqp:\/\/ or amqps:\/\/ URLs/);
    expect(loadConfig({}).broker.urls).toEqual([]);
  });
});
