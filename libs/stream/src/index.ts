export * from './stream.module';
export * from './job-event.router';
export * from './job-stream.session';
export * from './sse.writer';
export * from './stream-event-id.util';
export * from './delta-frame.util';
export * from './queue-standing.service';
export * from './stream-leases.service';
