import type { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';

/** The two private parts of an amqplib connection this reaches into (amqplib 2.x: lib/connection.js, lib/mux.js). */
interface MuxedConnection {
  stream?: Socket;
  muxer?: { _readIncoming?: () => void };
}

/**
 * amqplib writes every frame to the socket on its own: each publish, ack and basic.get is a write syscall, and
 * under load those syscalls were a fifth to a third of each service's CPU (bench/README.md, profiles). Its frame
 * multiplexer already gathers the frames of all channels and writes them in one pass; corking the socket
 * around that pass sends the pass's frames in one writev. Order and back-pressure are unchanged (a corked write
 * still answers false past the high-water mark, and the multiplexer waits for 'drain' as before).
 *
 * It relies on amqplib internals, so it checks their shape and leaves a connection that differs untouched;
 * answers whether it applied.
 */
export function batchFrameWrites(model: ChannelModel): boolean {
  const connection = model.connection as unknown as MuxedConnection;
  const socket = connection.stream;
  const muxer = connection.muxer;
  if (!socket || typeof socket.cork !== 'function' || typeof muxer?._readIncoming !== 'function') return false;
  const pass = muxer._readIncoming.bind(muxer);
  muxer._readIncoming = () => {
    socket.cork();
    try {
      pass();
    } finally {
      socket.uncork();
    }
  };
  return true;
}
