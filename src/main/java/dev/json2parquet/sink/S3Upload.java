package dev.json2parquet.sink;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One object being written to an {@link S3Sink}: the bytes the encoder writes are buffered up to one
 * part; a file that stays within one part is sent by a single PutObject on {@link #commit()}; at the
 * first full part a multipart upload starts (CreateMultipartUpload) and each full part is uploaded on
 * the sink's upload threads (UploadPart) while the encoder fills the next; {@link #commit()} uploads
 * the last part (the footer and what precedes it), waits for all of them and completes the upload
 * (CompleteMultipartUpload), which is when the object appears; {@link #abort()} stops it
 * (AbortMultipartUpload), so that no parts stay behind. Every request carries a checksum
 * ({@code s3_checksum}, CRC32C by default) that S3 verifies (S3 user guide, "Checking object
 * integrity"); a multipart object's parts are listed with theirs on completion.
 *
 * <p><b>Rolling files.</b> A key's open file receives row groups flush after flush; between them the
 * writer {@link #pause}s: the part buffer's memory goes back to the sink-wide allowance (the open-file
 * cap, {@link S3Sink#maxOpenFiles}, bounds what paused files hold). A part upload that fails after the
 * retry budget does not throw into the encoder: from then on no request is sent, the failed part and
 * every later byte go to a local spill file, and the failure is thrown at the next {@link #pause} or
 * {@link #commit}, after whole row groups. {@link #keep} then leaves the parts uploaded in order before
 * the first failed one in the open multipart upload and keeps the rest of the file on local disk (the
 * only local staging): {@link S3Kept}. A part's memory is given back only when it and every part
 * before it are uploaded, so the bytes after the uploaded prefix are always in memory or spilled; the
 * last part stays in memory until the upload completes, so a failed completion loses nothing either.
 * An upload that continues a kept one ({@link S3Kept#resume}) never aborts it: the kept file, or the
 * recovery store, still needs its parts.
 *
 * <p>Retries are the SDK's (backoff with jitter); each request may take, retries included, what is
 * left of the file's budget, counted from the start of the first request of this file that failed
 * (the whole budget while none has; a continued upload goes on with the budget of the one it
 * continues). Written by one thread, then committed, kept or aborted by one thread (maybe another),
 * as {@link Sink.Pending} allows; the upload threads only touch the parts, under this object's lock.
 */
final class S3Upload implements Sink.Pending {
  static final long NONE = Long.MIN_VALUE;
  private static final int FIRST_BUFFER = 64 * 1024;
  /** What an abort after a failure may spend: the cleanup is worth a try, not a second budget. */
  static final long ABORT_AFTER_FAILURE = TimeUnit.SECONDS.toNanos(5);

  /** One part handed to the upload threads. */
  private static final class Part {
    final int number;
    final long offset;
    final int length;
    /** The bytes, until the part is released or spilled. */
    byte[] data;
    /** Memory units ({@link S3Sink#UNIT}) held for {@link #data}. */
    int units;
    /** The file's last part: kept in memory until the upload completes. */
    final boolean last;
    Future<?> future;
    /** Set by the upload thread before {@link #settle}; null when the upload failed or was stopped. */
    volatile CompletedPart result;
    volatile boolean finished;

    Part(int number, long offset, byte[] data, int length, int units, boolean last) {
      this.number = number;
      this.offset = offset;
      this.data = data;
      this.length = length;
      this.units = units;
      this.last = last;
    }

    long end() {
      return offset + length;
    }
  }

  private final S3Sink sink;
  private final String key;
  /** Continues the upload of a kept file: {@link #abort()} leaves the multipart upload alone. */
  private final boolean resumed;
  /** The bytes a continued upload inherited in its parts (0 for a new upload). */
  private final long inherited;
  private final OutputStream stream = new PartStream();
  private byte[] buf = new byte[0];
  private int len;
  /** Memory units ({@link S3Sink#UNIT}) held for {@code buf} (none while paused). */
  private int heldUnits;
  private boolean paused;
  /** The file offset of {@code buf[0]}. */
  private long bufStart;
  private String uploadId;
  /** Every part of the upload, in order (those a continued upload inherits first). Guarded by this. */
  private final List<Part> parts = new ArrayList<>();
  /** Parts {@code [0, settled)} are released (uploaded, memory given back) or spilled. Guarded by this. */
  private int settled;
  /** Parts {@code [0, released)} are uploaded and released; they hold bytes {@code [0, releasedEnd)}. */
  private int released;
  private long releasedEnd;
  /** A part failed: it and every later one go to the spill file. Guarded by this. */
  private boolean chainBroken;
  private Path spill;
  private OutputStream spillOut;
  private long spilled;
  private IOException spillFailure;
  private final AtomicLong failedSince;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile IOException failure;
  private boolean done;

  S3Upload(S3Sink sink, String key) {
    this.sink = sink;
    this.key = key;
    this.resumed = false;
    this.inherited = 0;
    this.failedSince = new AtomicLong(NONE);
  }

  /**
   * Continues the multipart upload {@code uploadId} whose parts {@code 1..n} ({@code uploaded}, of
   * {@code sizes} bytes) hold the file's first bytes; the next byte written is the one after them.
   */
  S3Upload(S3Sink sink, String key, String uploadId, List<CompletedPart> uploaded, List<Long> sizes, long failedSince) {
    this.sink = sink;
    this.key = key;
    this.resumed = true;
    this.uploadId = uploadId;
    this.failedSince = new AtomicLong(failedSince);
    long offset = 0;
    for (int i = 0; i < uploaded.size(); i++) {
      Part p = new Part(uploaded.get(i).partNumber(), offset, null, (int) (long) sizes.get(i), 0, false);
      p.result = uploaded.get(i);
      p.finished = true;
      parts.add(p);
      offset += sizes.get(i);
    }
    this.settled = parts.size();
    this.released = parts.size();
    this.releasedEnd = offset;
    this.inherited = offset;
    this.bufStart = offset;
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
      if (paused) {
        unpause();
      }
      if (len == buf.length) {
        if (len == sink.partSize) {
          shipPart(false);
        }
        if (len == buf.length) {
          grow();
        }
      }
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      if (paused) {
        unpause();
      }
      while (n > 0) {
        if (len == buf.length) {
          if (len == sink.partSize) {
            shipPart(false);
          }
          if (len == buf.length) {
            grow();
          }
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
    acquire(units - heldUnits);
    heldUnits = units;
    buf = Arrays.copyOf(buf, capacity);
  }

  private void acquire(int units) throws IOException {
    try {
      sink.memory.acquire(units);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("Cannot buffer " + where() + ": interrupted");
    }
  }

  /**
   * Hands the buffer to an upload thread as the next part, starting the multipart upload first; after
   * a failure, appends it to the spill file instead (keeping the buffer for the next bytes).
   */
  private void shipPart(boolean last) throws IOException {
    if (failure == null && uploadId == null) {
      try {
        AwsRequestOverrideConfiguration o = timeout("start a multipart upload of");
        uploadId = request("start a multipart upload of", () -> sink.client.createMultipartUpload(b -> b
            .bucket(sink.bucket).key(key).checksumAlgorithm(sink.checksum).overrideConfiguration(o)))
            .uploadId();
      } catch (IOException e) {
        fail(e);
      }
    }
    if (failure != null) {
      awaitParts();
      synchronized (this) {
        settle();
        writeSpill(buf, len);
      }
      bufStart += len;
      len = 0;
      return;
    }
    Part p;
    synchronized (this) {
      p = new Part(parts.size() + 1, bufStart, buf, len, heldUnits, last);
      parts.add(p);
    }
    p.future = sink.uploaders.submit(() -> upload(p));
    bufStart += len;
    buf = new byte[0];
    len = 0;
    heldUnits = 0;
  }

  /** On an upload thread: uploads {@code p} (unless stopped), then settles the parts in order. */
  private void upload(Part p) {
    try {
      if (!stopped.get()) {
        p.result = uploadPart(p.number, p.data, p.length);
      }
    } catch (IOException e) {
      fail(e);
    } catch (RuntimeException | Error e) {
      fail(new IOException("Cannot upload part " + p.number + " of " + where() + ": " + e, e));
    } finally {
      p.finished = true;
      synchronized (this) {
        settle();
      }
    }
  }

  private synchronized void fail(IOException e) {
    if (failure == null) {
      failure = e;
    }
  }

  /**
   * Walks the finished parts in order: while every one so far was uploaded, gives its memory back
   * (the last part excepted: it waits for the completion); from the first failed one on, writes them
   * to the spill file instead, so that the bytes after the uploaded prefix are never lost. Stops at
   * the first part still uploading. Caller holds this object's lock.
   */
  private void settle() {
    while (settled < parts.size()) {
      Part p = parts.get(settled);
      if (!p.finished) {
        return;
      }
      if (p.result == null) {
        chainBroken = true;
      }
      if (!chainBroken && p.last && !stopped.get()) {
        return;
      }
      if (!chainBroken) {
        released = settled + 1;
        releasedEnd = p.end();
      } else if (!stopped.get()) {
        writeSpill(p.data, p.length);
      }
      sink.memory.release(p.units);
      p.units = 0;
      p.data = null;
      settled++;
    }
  }

  /** Appends to the local spill file; a failure to write it is remembered (then nothing can be kept). */
  private void writeSpill(byte[] data, int length) {
    if (spillFailure != null || length == 0) {
      return;
    }
    try {
      if (spillOut == null) {
        spill = Files.createTempFile("json2parquet-s3-", ".part");
        spillOut = new BufferedOutputStream(Files.newOutputStream(spill), 1 << 16);
      }
      spillOut.write(data, 0, length);
      spilled += length;
    } catch (IOException e) {
      spillFailure = e;
    }
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

  private void throwFailure() throws IOException {
    IOException e = failure;
    if (e != null) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Throws a failure learned meanwhile; else gives the buffer's memory back until the next write. */
  @Override
  public void pause() throws IOException {
    throwFailure();
    if (paused || done) {
      return;
    }
    if (len == 0) {
      sink.memory.release(heldUnits);
      heldUnits = 0;
      buf = new byte[0];
      return;
    }
    sink.memory.release(heldUnits);
    sink.pausedPeak.accumulateAndGet(sink.paused.addAndGet(buf.length), Math::max);
    paused = true;
  }

  /** Takes the paused buffer's memory from the sink's allowance again (waiting for it). */
  /** Ends a pause for good (keep, abort): the paused bytes leave the sink's count, no allowance is taken back. */
  private void dropPause() {
    if (paused) {
      sink.paused.addAndGet(-buf.length);
      paused = false;
      heldUnits = 0;
    }
  }

  private void unpause() throws IOException {
    acquire(heldUnits);
    sink.paused.addAndGet(-buf.length);
    paused = false;
  }

  @Override
  public void commit() throws IOException {
    if (done) {
      return;
    }
    if (paused) {
      unpause();
    }
    throwFailure();
    if (uploadId == null) {
      byte[] data = buf;
      int length = len;
      try {
        AwsRequestOverrideConfiguration o = timeout("upload");
        request("upload", () -> sink.client.putObject(b -> b.bucket(sink.bucket).key(key).contentLength((long) length)
            .checksumAlgorithm(sink.checksum).overrideConfiguration(o), body(data, length)));
      } catch (IOException e) {
        fail(e);
        throw e;
      }
      releaseBuffer();
      done = true;
      return;
    }
    if (len > 0) {
      shipPart(true);
    }
    awaitParts();
    throwFailure();
    List<CompletedPart> completed = new ArrayList<>(parts.size());
    synchronized (this) {
      for (Part p : parts) {
        completed.add(p.result);
      }
    }
    try {
      AwsRequestOverrideConfiguration o = timeout("complete the multipart upload of");
      request("complete the multipart upload of", () -> sink.client.completeMultipartUpload(b -> b.bucket(sink.bucket)
          .key(key).uploadId(uploadId).multipartUpload(m -> m.parts(completed)).overrideConfiguration(o)));
    } catch (IOException e) {
      fail(e);
      throw e;
    }
    done = true;
    synchronized (this) {
      for (Part p : parts) {
        sink.memory.release(p.units);
        p.units = 0;
        p.data = null;
      }
    }
  }

  /** Waits until no part is uploading (each ends within the retry budget). */
  private void awaitParts() throws IOException {
    List<Future<?>> all = new ArrayList<>();
    synchronized (this) {
      for (Part p : parts) {
        if (p.future != null) {
          all.add(p.future);
        }
      }
    }
    for (Future<?> f : all) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("Cannot upload " + where() + ": interrupted");
      } catch (ExecutionException e) {
        // upload() records its failures itself
      }
    }
  }

  /**
   * Keeps the first {@code length} bytes: the parts uploaded in order stay in the open multipart
   * upload, the rest (spilled parts, the part held for completion, the buffer) goes to a local file.
   * The upload is neither completed nor aborted.
   *
   * @throws IOException when a part after {@code length} was already uploaded and given back (an
   *     exception from the encoder in the middle of a row group), or the local file cannot be written
   */
  @Override
  public Sink.Kept keep(long length) throws IOException {
    if (done) {
      throw new IOException("Cannot keep " + where() + ": it was already committed or discarded");
    }
    done = true;
    dropPause();
    try {
      awaitParts();
    } catch (IOException e) {
      stopped.set(true);
      discardLocal();
      throw e;
    }
    List<CompletedPart> uploaded = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    long tailLength;
    Path tail;
    synchronized (this) {
      settle();
      try {
        if (length < releasedEnd) {
          throw new IOException("Cannot keep the first " + length + " bytes of " + where() + ": the parts up to byte "
              + releasedEnd + " were already uploaded and are not held any more");
        }
        for (int i = settled; i < parts.size(); i++) {
          writeSpill(parts.get(i).data, parts.get(i).length);
        }
        writeSpill(buf, len);
        if (spillOut != null) {
          spillOut.close();
          spillOut = null;
        }
        if (spillFailure != null) {
          throw new IOException("Cannot keep the rest of " + where() + " on local disk: " + spillFailure, spillFailure);
        }
        tailLength = length - releasedEnd;
        if (spilled < tailLength) {
          throw new IOException("Cannot keep the first " + length + " bytes of " + where() + ": only "
              + (releasedEnd + spilled) + " were written");
        }
        if (spill == null) {
          spill = Files.createTempFile("json2parquet-s3-", ".part");
        }
        try (FileChannel ch = FileChannel.open(spill, StandardOpenOption.WRITE)) {
          ch.truncate(tailLength);
        }
        tail = spill;
        spill = null;
        for (int i = 0; i < released; i++) {
          uploaded.add(parts.get(i).result);
          sizes.add((long) parts.get(i).length);
        }
      } catch (IOException e) {
        discardLocal();
        releaseAll();
        if (uploadId != null && !resumed) {
          abortUpload(sink, key, uploadId, ABORT_AFTER_FAILURE);
        }
        throw e;
      }
      releaseAll();
    }
    return new S3Kept(sink, key, uploaded.isEmpty() ? null : uploadId, uploaded, sizes, tail, tailLength,
        failedSince.get(), uploaded.isEmpty() && uploadId != null && !resumed ? uploadId : null);
  }

  /** Gives back every part's and the buffer's memory. Caller holds this object's lock. */
  private void releaseAll() {
    for (Part p : parts) {
      sink.memory.release(p.units);
      p.units = 0;
      p.data = null;
    }
    releaseBuffer();
  }

  private void discardLocal() {
    try {
      if (spillOut != null) {
        spillOut.close();
      }
    } catch (IOException ignored) {
      // deleted next
    }
    spillOut = null;
    if (spill != null) {
      try {
        Files.deleteIfExists(spill);
      } catch (IOException ignored) {
        // a leftover temporary file is harmless
      }
      spill = null;
    }
  }

  @Override
  public void abort() {
    if (done) {
      return;
    }
    done = true;
    stopped.set(true);
    dropPause();
    // parts being uploaded could still land after an abort (S3 API reference, AbortMultipartUpload),
    // so wait for them first; those not started yet see `stopped` and do nothing
    try {
      awaitParts();
    } catch (IOException e) {
      // interrupted: abort what can be aborted now
    }
    synchronized (this) {
      settle();
      releaseAll();
      discardLocal();
    }
    if (uploadId != null && !resumed) {
      abortUpload(sink, key, uploadId, failedSince.get() == NONE ? sink.budgetNanos : ABORT_AFTER_FAILURE);
    }
  }

  /** AbortMultipartUpload within {@code nanos}; a failure is logged (a lifecycle rule is the second line of defence). */
  static void abortUpload(S3Sink sink, String key, String uploadId, long nanos) {
    AwsRequestOverrideConfiguration o = AwsRequestOverrideConfiguration.builder().apiCallTimeout(Duration.ofNanos(nanos)).build();
    try {
      sink.client.abortMultipartUpload(b -> b.bucket(sink.bucket).key(key).uploadId(uploadId).overrideConfiguration(o));
    } catch (SdkException e) {
      LoggerFactory.getLogger(S3Upload.class).warn("Cannot abort the multipart upload {} of s3://{}/{}: {}; its parts stay"
          + " until a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes them", uploadId, sink.bucket, key,
          e.getMessage());
    }
  }

  private void releaseBuffer() {
    if (!paused) {
      sink.memory.release(heldUnits);
    }
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
    } catch (S3Exception e) {
      failedSince.compareAndSet(NONE, start);
      if (resumed && "NoSuchUpload".equals(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode())) {
        throw new IOException("Cannot " + action + " " + where() + ": its multipart upload " + uploadId + " is gone"
            + " (aborted, or removed by the bucket's AbortIncompleteMultipartUpload lifecycle rule), and with it the"
            + " first " + inherited + " bytes of the file, which were uploaded before the failure: this file's records"
            + " cannot be recovered", e);
      }
      throw new IOException("Cannot " + action + " " + where() + ": " + e.getMessage(), e);
    } catch (SdkException e) {
      failedSince.compareAndSet(NONE, start);
      throw new IOException("Cannot " + action + " " + where() + ": " + e.getMessage(), e);
    }
  }

  /** Copies the {@code n} bytes of {@code in} into this upload's stream. */
  void writeFrom(InputStream in, long n) throws IOException {
    LocalKept.copy(in, stream, n);
  }
}
