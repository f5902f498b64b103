package dev.json2parquet.sink;

import dev.json2parquet.record.PathLimits;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;

/**
 * Writes files as objects of one S3 bucket (AWS S3 or an S3-compatible server), each at the key
 * {@code <s3_prefix>/<relative path>}: the same layout and deterministic names as the file sink, so a
 * retry or a {@code recover} of the same file replaces the same object instead of adding one.
 *
 * <p>An object appears only when it is complete (S3 API reference, PutObject and
 * CompleteMultipartUpload): a file of at most one part is sent by one PUT on commit; a larger one
 * becomes a multipart upload whose parts ({@code partSize} bytes, the last smaller) upload on
 * {@code concurrency} threads while the encoder goes on, and which is completed on commit and aborted
 * on abort ({@link S3Upload}). Memory: every byte buffered counts against one sink-wide allowance of
 * {@code partSize x (concurrency + encoders)} bytes; an encoder that would exceed it waits for parts to
 * finish uploading. A rolling file between flushes ({@link Sink.Pending#pause}) gives its buffer's
 * allowance back and holds at most one part; {@link #maxOpenFiles} ({@code s3_buffer_bytes / partSize})
 * caps such files, so all buffers together stay within {@code s3_buffer_bytes + partSize x
 * (concurrency + encoders)}. A failed file is kept half-uploaded ({@link S3Kept}) and continued by
 * {@link #resume}. Object keys stay within S3's 1,024 bytes (S3 user guide, "Naming Amazon S3
 * objects") through {@link PathLimits#fitPath}, which shortens a too-long path the same way every
 * time. Thread-safe.
 */
final class S3Sink implements Sink {
  /** Memory is counted in units of this many bytes, so that the semaphore's int permits cover GiBs. */
  static final int UNIT = 1024;

  final S3Client client;
  final String bucket;
  final int partSize;
  final long budgetNanos;
  final Semaphore memory;
  /** The checksum sent with every upload request, or null for none. */
  final ChecksumAlgorithm checksum;
  final ExecutorService uploaders;
  /** Bytes of the buffers of paused files (rolling files between flushes). */
  final java.util.concurrent.atomic.AtomicLong paused = new java.util.concurrent.atomic.AtomicLong();
  /** The most {@link #paused} has been (read by the tests). */
  final java.util.concurrent.atomic.AtomicLong pausedPeak = new java.util.concurrent.atomic.AtomicLong();
  private final int maxOpenFiles;
  private final String prefix;
  private final AutoCloseable resources;

  /**
   * @param prefix key prefix: empty, or joined to every relative path with one {@code /}
   * @param partSize bytes per multipart part; 5 MiB to 5 GiB (S3 API reference, UploadPart)
   * @param concurrency parts uploading at once
   * @param encoders threads that write files at once (each may fill one buffer)
   * @param bufferBytes what the part buffers of open (paused) files may hold together: caps the open
   *     files at {@code bufferBytes / partSize} (at least 1)
   * @param budgetNanos how long one upload attempt may spend on a request, with the SDK's retries
   * @param checksum sent with every upload request and checked by S3, or null for none
   * @param resources closed after the client (HTTP client, STS client and credentials provider)
   */
  S3Sink(S3Client client, String bucket, String prefix, long partSize, int concurrency, int encoders,
      long bufferBytes, long budgetNanos, ChecksumAlgorithm checksum, AutoCloseable resources) {
    if (partSize < 5L << 20 || partSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Cannot use a part size of " + partSize
          + " bytes: S3 parts are at least 5 MiB, and this sink buffers parts of at most 2 GiB");
    }
    this.client = client;
    this.bucket = bucket;
    this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    this.partSize = (int) partSize;
    this.budgetNanos = budgetNanos;
    this.maxOpenFiles = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bufferBytes / partSize));
    this.checksum = checksum;
    long units = (partSize + UNIT - 1) / UNIT * (concurrency + (long) encoders);
    this.memory = new Semaphore((int) Math.min(Integer.MAX_VALUE, units));
    AtomicInteger n = new AtomicInteger();
    this.uploaders = Executors.newFixedThreadPool(concurrency, r -> {
      Thread t = new Thread(r, "s3-upload-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.resources = resources;
  }

  /** The object key of {@code relativePath}: the prefix and the path, shortened to fit 1,024 bytes. */
  String key(String relativePath) throws IOException {
    if (relativePath.startsWith("/") || ("/" + relativePath + "/").contains("/../")) {
      throw new IOException("Cannot create " + relativePath + ": it is outside s3://" + bucket + "/" + prefix);
    }
    int room = PathLimits.PATH_BYTES - PathLimits.utf8Length(prefix);
    try {
      return prefix + (PathLimits.utf8Length(relativePath) <= room ? relativePath : PathLimits.fitPath(relativePath, room));
    } catch (IllegalArgumentException e) {
      throw new IOException("Cannot name an object for " + relativePath + " under the prefix " + prefix + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public boolean delete(String relativePath) throws IOException {
    String key = key(relativePath);
    try {
      client.headObject(b -> b.bucket(bucket).key(key));
    } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw new IOException("Cannot remove s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
    } catch (SdkException e) {
      throw new IOException("Cannot remove s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
    }
    try {
      client.deleteObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (SdkException e) {
      throw new IOException("Cannot remove s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Pending create(String relativePath) throws IOException {
    return new S3Upload(this, key(relativePath));
  }

  /** A failed file keeps its uploaded parts in its open multipart upload ({@link S3Upload#keep}). */
  @Override
  public boolean readsBack() {
    return true;
  }

  @Override
  public int maxOpenFiles() {
    return maxOpenFiles;
  }

  /** Continues the multipart upload a {@link S3Kept#resumeToken} names (the object key is the token's). */
  @Override
  public Pending resume(String token, String relativePath) throws IOException {
    return S3Kept.resume(this, token);
  }

  @Override
  public String locate(String relativePath) {
    try {
      return "s3://" + bucket + "/" + key(relativePath);
    } catch (IOException e) {
      return "s3://" + bucket + "/" + prefix + relativePath;
    }
  }

  /** Lists the objects under the prefix and deletes those of the run, one DeleteObject each. */
  @Override
  public long removeRun(String runId) throws IOException {
    String mark = "-" + runId + "-";
    long removed = 0;
    try {
      for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
        String name = o.key().substring(o.key().lastIndexOf('/') + 1);
        if (name.contains(mark) && name.endsWith(".parquet")) {
          client.deleteObject(b -> b.bucket(bucket).key(o.key()));
          removed++;
        }
      }
    } catch (SdkException e) {
      throw new IOException("Cannot remove the objects of run " + runId + " from s3://" + bucket + "/" + prefix + ": "
          + e.getMessage(), e);
    }
    return removed;
  }

  @Override
  public void close() throws IOException {
    uploaders.shutdownNow();
    try {
      client.close();
      resources.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("Cannot close the S3 client: " + e, e);
    }
  }
}
