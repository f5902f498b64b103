package dev.json2parquet.it;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-API server for the tests: S3Proxy 4 in this JVM on a loopback port, over its
 * filesystem backend in a directory (which keeps x-amz-checksum-* values and lists multipart
 * uploads), with AWS V4 signatures checked against one key pair. Stopping and starting again on the
 * same port and directory keeps the buckets (a "server outage").
 */
final class S3Server implements AutoCloseable {
  static final String ACCESS = "test-access";
  static final String SECRET = "test-secret";

  private final Path dir;
  private final String access;
  private final String secret;
  private final int port;
  private final AuthenticationType auth;
  private S3Proxy proxy;
  private BlobStore store;

  S3Server(Path dir) throws Exception {
    this(dir, ACCESS, SECRET, freePort());
  }

  S3Server(Path dir, String access, String secret, int port) throws Exception {
    this(dir, access, secret, port, AuthenticationType.AWS_V2_OR_V4);
  }

  /** With {@code AuthenticationType.NONE}, any signature is accepted. */
  S3Server(Path dir, String access, String secret, int port, AuthenticationType auth) throws Exception {
    this.auth = auth;
    this.dir = dir;
    this.access = access;
    this.secret = secret;
    this.port = port;
    Files.createDirectories(dir);
    start();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  void start() throws Exception {
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", dir.toString());
    store = BlobStores.create("filesystem", props);
    proxy = S3Proxy.builder().blobStore(store)
        .awsAuthentication(auth, access, secret)
        .endpoint(URI.create("http://127.0.0.1:" + port)).build();
    proxy.start();
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> proxy.getState().equals("STARTED"));
  }

  void stop() throws Exception {
    proxy.stop();
    store.close();
  }

  /**
   * The arguments of a json2parquet {@code command} that writes to {@code s3://BUCKET/logs} on this
   * server with its keys, the recovery store under {@code dir/recovery}, and (for every command but
   * {@code recover}) the DLQ under {@code dir/dlq} and {@code --quiet}; {@code extra} goes last.
   */
  String[] cliArgs(String bucket, java.nio.file.Path dir, String command, String... extra) {
    java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of(command, "-o", "s3://" + bucket + "/logs",
        "--s3-endpoint", endpoint(), "--s3-region", "us-east-1", "--s3-access-key-id", ACCESS,
        "--s3-secret-access-key", SECRET, "--recovery", dir.resolve("recovery").toString()));
    if (!command.equals("recover")) {
      a.addAll(java.util.List.of("--dlq", dir.resolve("dlq").toString(), "--quiet"));
    }
    a.addAll(java.util.List.of(extra));
    return a.toArray(String[]::new);
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** A client of this server with its own credentials. */
  S3Client client() {
    return S3Client.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret)))
        // the SDK's default checksums: S3Proxy 4 keeps x-amz-checksum-* and answers x-amz-checksum-mode
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
  }

  void createBucket(String bucket) {
    try (S3Client s3 = client()) {
      s3.createBucket(b -> b.bucket(bucket));
    }
  }

  /** Every object of {@code bucket} (not the backend's directories), downloaded under {@code to} at its key; returns the keys. */
  List<String> download(String bucket, Path to) throws Exception {
    List<String> keys = new ArrayList<>();
    try (S3Client s3 = client()) {
      for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
        if (o.key().endsWith("/")) {
          continue; // the filesystem backend lists its directories as empty objects
        }
        Path target = to.resolve(o.key());
        Files.createDirectories(target.getParent());
        s3.getObject(b -> b.bucket(bucket).key(o.key()), ResponseTransformer.toFile(target));
        keys.add(o.key());
      }
    }
    return keys;
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
