package dev.json2parquet.parquet;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * Heap buffers for parquet-java's page and level buffers, kept after release and handed out
 * again for the same size. parquet-java grows its buffers in the same sizes for every row group,
 * so after the first file an encoder stops allocating (and zeroing) them. Holds at most
 * {@code maxPooledBytes}. Confined to one encoder thread.
 */
final class RecyclingAllocator implements ByteBufferAllocator {
  private final Map<Integer, ArrayDeque<ByteBuffer>> free = new HashMap<>();
  private final long maxPooledBytes;
  private long pooledBytes;

  RecyclingAllocator(long maxPooledBytes) {
    this.maxPooledBytes = maxPooledBytes;
  }

  @Override
  public ByteBuffer allocate(int size) {
    ArrayDeque<ByteBuffer> q = free.get(size);
    ByteBuffer b = q == null ? null : q.poll();
    if (b == null) {
      return ByteBuffer.allocate(size);
    }
    pooledBytes -= size;
    b.clear();
    return b;
  }

  @Override
  public void release(ByteBuffer b) {
    int size = b.capacity();
    if (b.isDirect() || pooledBytes + size > maxPooledBytes) {
      return;
    }
    free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(b);
    pooledBytes += size;
  }

  @Override
  public boolean isDirect() {
    return false;
  }

  long pooledBytes() {
    return pooledBytes;
  }
}
