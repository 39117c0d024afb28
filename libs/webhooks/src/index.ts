export * from './ssrf.guard';
export * from './webhook-signature';
export * from './secret-box';
export * from './webhook-event';
export * from './special-address.util';
export * from './subscriptions.cache';
export * from './terminal-event.publisher';
export * from './webhook-routing.module';
