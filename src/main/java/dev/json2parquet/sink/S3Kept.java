package dev.json2parquet.sink;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The kept first bytes of a failed S3 file ({@link S3Upload#keep}): parts {@code 1..n} of an open
 * multipart upload hold bytes {@code [0, uploaded)}, a local file the rest. {@link #resume} continues
 * the same upload; the recovery store holds the local bytes (then the footer) with
 * {@link #resumeToken}, from which {@code recover} continues it ({@link S3Sink#resume}).
 *
 * <p>The parts live in S3 only while the upload is open: an AbortIncompleteMultipartUpload lifecycle
 * rule on the bucket removes them after its days, so such a rule must give more days than a file may
 * wait in the recovery store (README, "S3").
 */
final class S3Kept implements Sink.Kept {
  private static final String FORMAT = "s3mpu1";

  private final S3Sink sink;
  private final String key;
  /** Null when nothing is uploaded: every kept byte is local. */
  private final String uploadId;
  private final List<CompletedPart> parts;
  private final List<Long> sizes;
  private final long uploaded;
  private Path tail;
  private final long tailLength;
  private final long failedSince;
  /** An upload started but holding nothing kept: aborted on {@link #discard}. */
  private String unused;

  S3Kept(S3Sink sink, String key, String uploadId, List<CompletedPart> parts, List<Long> sizes, Path tail,
      long tailLength, long failedSince, String unused) {
    this.sink = sink;
    this.key = key;
    this.uploadId = uploadId;
    this.parts = List.copyOf(parts);
    this.sizes = List.copyOf(sizes);
    this.uploaded = sizes.stream().mapToLong(Long::longValue).sum();
    this.tail = tail;
    this.tailLength = tailLength;
    this.failedSince = failedSince;
    this.unused = unused;
  }

  @Override
  public long length() {
    return uploaded + tailLength;
  }

  @Override
  public Sink.Pending resume(Sink ignored, String relativePath) throws IOException {
    S3Upload u = uploadId == null ? new S3Upload(sink, key)
        : new S3Upload(sink, key, uploadId, parts, sizes, failedSince);
    try (InputStream in = Files.newInputStream(tail)) {
      u.writeFrom(in, tailLength);
    } catch (IOException | RuntimeException e) {
      u.abort();
      throw e;
    }
    return u;
  }

  @Override
  public void copyLocal(OutputStream out) throws IOException {
    try (InputStream in = Files.newInputStream(tail)) {
      LocalKept.copy(in, out, tailLength);
    }
  }

  @Override
  public String resumeToken() {
    if (uploadId == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder(FORMAT).append(' ').append(enc(sink.bucket)).append(' ').append(enc(key))
        .append(' ').append(enc(uploadId));
    for (int i = 0; i < parts.size(); i++) {
      CompletedPart p = parts.get(i);
      sb.append(' ').append(p.partNumber()).append(',').append(sizes.get(i)).append(',').append(enc(p.eTag()))
          .append(',').append(enc(p.checksumCRC32C())).append(',').append(enc(p.checksumCRC32()))
          .append(',').append(enc(p.checksumSHA1())).append(',').append(enc(p.checksumSHA256()));
    }
    return sb.toString();
  }

  @Override
  public void discard(boolean abandon) {
    if (tail != null) {
      try {
        Files.deleteIfExists(tail);
      } catch (IOException ignored) {
        // a leftover temporary file is harmless
      }
      tail = null;
    }
    if (unused != null) {
      S3Upload.abortUpload(sink, key, unused, S3Upload.ABORT_AFTER_FAILURE);
      unused = null;
    }
    if (abandon && uploadId != null) {
      S3Upload.abortUpload(sink, key, uploadId, S3Upload.ABORT_AFTER_FAILURE);
    }
  }

  /**
   * The upload a {@link #resumeToken} names, continued: its next byte follows the uploaded parts.
   *
   * @throws IOException when the token is not one of this format, or names another bucket
   */
  static S3Upload resume(S3Sink sink, String token) throws IOException {
    String[] f = token.split(" ");
    if (f.length < 4 || !f[0].equals(FORMAT)) {
      throw new IOException("Cannot continue an S3 upload from \"" + token + "\": not a " + FORMAT + " token");
    }
    String bucket = dec(f[1]);
    if (!bucket.equals(sink.bucket)) {
      throw new IOException("Cannot continue the multipart upload of s3://" + bucket + "/" + dec(f[2]) + " in bucket "
          + sink.bucket + ": recover it with s3_bucket_name " + bucket);
    }
    List<CompletedPart> parts = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    for (int i = 4; i < f.length; i++) {
      String[] p = f[i].split(",", -1);
      if (p.length != 7) {
        throw new IOException("Cannot continue an S3 upload from \"" + token + "\": bad part " + f[i]);
      }
      parts.add(CompletedPart.builder().partNumber(Integer.parseInt(p[0])).eTag(dec(p[2])).checksumCRC32C(dec(p[3]))
          .checksumCRC32(dec(p[4])).checksumSHA1(dec(p[5])).checksumSHA256(dec(p[6])).build());
      sizes.add(Long.parseLong(p[1]));
    }
    return new S3Upload(sink, dec(f[2]), dec(f[3]), parts, sizes, S3Upload.NONE);
  }

  /** URL-encoded, {@code -} for null (and {@code %2D} for a lone "-", which URL encoding leaves as it is). */
  private static String enc(String s) {
    if (s == null) {
      return "-";
    }
    return s.equals("-") ? "%2D" : URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String dec(String s) {
    return s.equals("-") ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
