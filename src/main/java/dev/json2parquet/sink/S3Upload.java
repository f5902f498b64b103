package dev.json2parquet.sink;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One object being written to an {@link S3Sink}: the bytes the encoder writes are buffered up to one
 * part; a file that stays within one part is sent by a single PutObject on {@link #commit()}; at the
 * first full part a multipart upload starts (CreateMultipartUpload) and each full part is uploaded on
 * the sink's upload threads (UploadPart) while the encoder fills the next; {@link #commit()} uploads
 * the last part, waits for all of them and completes the upload (CompleteMultipartUpload), which is
 * when the object appears; {@link #abort()} stops it (AbortMultipartUpload), so that no parts stay
 * behind. Every request carries a checksum ({@code s3_checksum}, CRC32C by default) that S3 verifies
 * (S3 user guide, "Checking object integrity"); a multipart object's parts are listed with theirs on
 * completion.
 *
 * <p>Retries are the SDK's (backoff with jitter); each request may take, retries included, what is
 * left of the sink's budget, counted from the start of the first request of this file that failed
 * (the whole budget while none has). Written by one thread, then committed or aborted by one thread
 * (maybe another), as {@link Sink.Pending} allows.
 */
final class S3Upload implements Sink.Pending {
  private static final long NONE = Long.MIN_VALUE;
  private static final int FIRST_BUFFER = 64 * 1024;
  /** What an abort after a failure may spend: the cleanup is worth a try, not a second budget. */
  private static final long ABORT_AFTER_FAILURE = TimeUnit.SECONDS.toNanos(5);

  private final S3Sink sink;
  private final String key;
  private final OutputStream stream = new PartStream();
  private byte[] buf = new byte[0];
  private int len;
  /** Memory units ({@link S3Sink#UNIT}) held for {@code buf}. */
  private int heldUnits;
  private String uploadId;
  private final List<Future<CompletedPart>> parts = new ArrayList<>();
  private final AtomicLong failedSince = new AtomicLong(NONE);
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile IOException partFailure;
  private boolean done;

  S3Upload(S3Sink sink, String key) {
    this.sink = sink;
    this.key = key;
  }

  private String where() {
    return "s3://" + sink.bucket + "/" + key;
  }

  @Override
  public OutputStream stream() {
    return stream;
  }

  private final class PartStream extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      if (len == buf.length) {
        if (len == sink.partSize) {
          shipPart();
        }
        grow();
      }
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      while (n > 0) {
        if (len == buf.length) {
          if (len == sink.partSize) {
            shipPart();
          }
          grow();
        }
        int k = Math.min(n, buf.length - len);
        System.arraycopy(b, off, buf, len, k);
        len += k;
        off += k;
        n -= k;
      }
    }
  }

  /** Doubles the buffer (a full part at once after the first part), waiting for the sink's memory. */
  private void grow() throws IOException {
    int capacity = uploadId != null ? sink.partSize
        : (int) Math.min(sink.partSize, Math.max(FIRST_BUFFER, 2L * buf.length));
    int units = (int) ((capacity + (long) S3Sink.UNIT - 1) / S3Sink.UNIT);
    try {
      sink.memory.acquire(units - heldUnits);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("Cannot buffer " + where() + ": interrupted");
    }
    heldUnits = units;
    buf = Arrays.copyOf(buf, capacity);
  }

  /** Hands the full buffer to an upload thread as the next part, starting the multipart upload first. */
  private void shipPart() throws IOException {
    throwPartFailure();
    if (uploadId == null) {
      AwsRequestOverrideConfiguration o = timeout("start a multipart upload of");
      uploadId = request("start a multipart upload of", () -> sink.client.createMultipartUpload(b -> b
          .bucket(sink.bucket).key(key).checksumAlgorithm(sink.checksum).overrideConfiguration(o)))
          .uploadId();
    }
    parts.add(submit(parts.size() + 1, buf, len, heldUnits));
    buf = new byte[0];
    len = 0;
    heldUnits = 0;
  }

  /** Uploads part {@code number} on an upload thread, then gives its memory back. */
  private Future<CompletedPart> submit(int number, byte[] data, int length, int units) {
    return sink.uploaders.submit(() -> {
      try {
        if (stopped.get()) {
          return null;
        }
        return uploadPart(number, data, length);
      } catch (IOException e) {
        partFailure = e;
        throw e;
      } finally {
        sink.memory.release(units);
      }
    });
  }

  private CompletedPart uploadPart(int number, byte[] data, int length) throws IOException {
    String action = "upload part " + number + " of";
    AwsRequestOverrideConfiguration o = timeout(action);
    UploadPartResponse r = request(action, () -> sink.client.uploadPart(b -> b.bucket(sink.bucket).key(key)
        .uploadId(uploadId).partNumber(number).contentLength((long) length)
        .checksumAlgorithm(sink.checksum).overrideConfiguration(o), body(data, length)));
    return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32C(r.checksumCRC32C())
        .checksumCRC32(r.checksumCRC32()).checksumSHA1(r.checksumSHA1()).checksumSHA256(r.checksumSHA256()).build();
  }

  /** The first {@code length} bytes of {@code data}, without a copy; the SDK may read them again on a retry. */
  private static RequestBody body(byte[] data, int length) {
    return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
        "application/octet-stream");
  }

  private void throwPartFailure() throws IOException {
    IOException e = partFailure;
    if (e != null) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @Override
  public void commit() throws IOException {
    if (done) {
      return;
    }
    throwPartFailure();
    if (uploadId == null) {
      byte[] data = buf;
      int length = len;
      AwsRequestOverrideConfiguration o = timeout("upload");
      request("upload", () -> sink.client.putObject(b -> b.bucket(sink.bucket).key(key).contentLength((long) length)
          .checksumAlgorithm(sink.checksum).overrideConfiguration(o), body(data, length)));
      releaseBuffer();
      done = true;
      return;
    }
    if (len > 0) {
      parts.add(submit(parts.size() + 1, buf, len, heldUnits));
      buf = new byte[0];
      len = 0;
      heldUnits = 0;
    }
    List<CompletedPart> completed = new ArrayList<>(parts.size());
    for (Future<CompletedPart> f : parts) {
      completed.add(await(f));
    }
    AwsRequestOverrideConfiguration o = timeout("complete the multipart upload of");
    request("complete the multipart upload of", () -> sink.client.completeMultipartUpload(b -> b.bucket(sink.bucket)
        .key(key).uploadId(uploadId).multipartUpload(m -> m.parts(completed)).overrideConfiguration(o)));
    done = true;
  }

  private CompletedPart await(Future<CompletedPart> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("Cannot upload " + where() + ": interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? new IOException(io.getMessage(), io)
          : new IOException("Cannot upload " + where() + ": " + cause, cause);
    }
  }

  @Override
  public void abort() {
    if (done) {
      return;
    }
    done = true;
    stopped.set(true);
    releaseBuffer();
    if (uploadId == null) {
      return;
    }
    // parts being uploaded could still land after an abort (S3 API reference, AbortMultipartUpload),
    // so wait for them first; those not started yet see `stopped` and do nothing
    for (Future<CompletedPart> f : parts) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException e) {
        // that part's failure is what is being aborted
      }
    }
    long left = failedSince.get() == NONE ? sink.budgetNanos : ABORT_AFTER_FAILURE;
    AwsRequestOverrideConfiguration o = AwsRequestOverrideConfiguration.builder().apiCallTimeout(Duration.ofNanos(left)).build();
    try {
      sink.client.abortMultipartUpload(b -> b.bucket(sink.bucket).key(key).uploadId(uploadId).overrideConfiguration(o));
    } catch (SdkException e) {
      LoggerFactory.getLogger(S3Upload.class).warn("Cannot abort the multipart upload {} of {}: {}; its parts stay until"
          + " a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes them", uploadId, where(), e.getMessage());
    }
  }

  private void releaseBuffer() {
    sink.memory.release(heldUnits);
    heldUnits = 0;
    buf = new byte[0];
    len = 0;
  }

  /** What is left of the retry budget for the next request, as its API call timeout. */
  private AwsRequestOverrideConfiguration timeout(String action) throws IOException {
    long since = failedSince.get();
    long left = since == NONE ? sink.budgetNanos : since + sink.budgetNanos - System.nanoTime();
    if (left <= 0) {
      throw new IOException("Cannot " + action + " " + where() + ": its retry budget (s3_retry_budget, "
          + TimeUnit.NANOSECONDS.toSeconds(sink.budgetNanos) + " s) is spent");
    }
    return AwsRequestOverrideConfiguration.builder().apiCallTimeout(Duration.ofNanos(left)).build();
  }

  /** Runs one SDK call; a failure marks the start of this file's retry budget and becomes an IOException. */
  private <T> T request(String action, Supplier<T> call) throws IOException {
    long start = System.nanoTime();
    try {
      return call.get();
    } catch (SdkException e) {
      failedSince.compareAndSet(NONE, start);
      throw new IOException("Cannot " + action + " " + where() + ": " + e.getMessage(), e);
    }
  }
}
