/**
 * BROKER_URL's addresses: one amqp(s):// URL, or several separated by commas (the nodes of one RabbitMQ cluster,
 * tried in order). Answers null unless every one is a valid amqp:// or amqps:// URL.
 */
export function parseBrokerUrls(value: string): string[] | null {
  const urls = value
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  if (urls.length === 0) return null;
  for (const url of urls) {
    try {
      if (!['amqp:', 'amqps:'].includes(new URL(url).protocol)) return null;
    } catch {
      return null;
    }
  }
  return urls;
}
