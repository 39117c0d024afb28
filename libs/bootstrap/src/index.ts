export * from './bootstrap';
export * from './service-logger';
export * from './service-profiles';
export * from './service-root.module';
export * from './serial-interval';
