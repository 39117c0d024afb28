export * from './conveyor-config.schema';
export * from './conveyor-config';
export * from './config.exception';
export * from './api-keys.util';
export * from './config.module';
export * from './log-levels.util';
