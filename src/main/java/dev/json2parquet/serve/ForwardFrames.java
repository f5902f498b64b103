package dev.json2parquet.serve;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * Cuts the forward protocol's byte stream into whole msgpack values (one message each, a heartbeat's
 * nil included), however the stream was split across TCP packets: Netty's cumulating decoder keeps
 * the bytes received so far, and msgpack-core's unpacker skips one value over them; when the value is
 * not complete yet ({@link MessageInsufficientBufferException}) it waits for more. A value larger than
 * {@code maxBytes} fails the connection ({@link TooLongFrameException}); bytes that are not msgpack
 * fail it too (msgpack-core's exception). Not sharable: one per connection.
 */
final class ForwardFrames extends ByteToMessageDecoder {
  private final long maxBytes;

  ForwardFrames(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    while (in.isReadable()) {
      int readable = in.readableBytes();
      long size;
      // read through a stream over a view of the bytes: msgpack-core's direct-buffer access needs
      // sun.nio.ch, which Java 17 does not open to it, and Netty's buffers are direct
      try (MessageUnpacker u = MessagePack.newDefaultUnpacker(new ByteBufInputStream(in.duplicate()))) {
        u.skipValue();
        size = u.getTotalReadBytes();
      } catch (MessageInsufficientBufferException e) {
        if (readable > maxBytes) {
          throw new TooLongFrameException("a forward message of more than max_body_bytes (" + maxBytes + ")");
        }
        return;
      }
      byte[] frame = new byte[(int) size];
      in.readBytes(frame);
      out.add(frame);
    }
  }
}
