/** autocannon ships no types; fixed-rate.util.ts states the part of its API it uses. */
declare module 'autocannon';
