package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bucket in another region: the HeadBucket preflight's answer 301 with {@code x-amz-bucket-region}
 * (what AWS S3 answers a request for the wrong region; the HeadBucket page of the S3 API reference)
 * stops {@code convert} with exit 2 and one line naming both regions, before any input is read.
 *
 * <p>A hand-written stand-in answers here, and only for this answer: real AWS is out of reach, and
 * neither server the tests can start refuses a region (S3Proxy checks a signature against whatever
 * region it was made for; moto 5.2.1 answers 200 with the bucket's region header, see
 * {@link S3SinkTest}). The stand-in records each request, so the test also shows that nothing but the
 * preflight was sent.
 */
@Timeout(60)
class S3RegionTest {
  @TempDir
  Path dir;

  @Test
  void bucketInAnotherRegion_exit2_oneLineNamingBothRegions() throws Exception {
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer aws = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    aws.createContext("/", exchange -> {
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("x-amz-bucket-region", "eu-west-1");
      exchange.getResponseHeaders().add("x-amz-request-id", "0A1B2C3D4E5F");
      exchange.sendResponseHeaders(301, -1);
      exchange.close();
    });
    aws.start();
    try {
      String endpoint = "http://127.0.0.1:" + aws.getAddress().getPort();
      Cli.Result r = Cli.run(RecoveryTest.lines(0, 10), Map.of(), "convert", "-q", "-o", "s3://far-bucket/logs",
          "--s3-endpoint", endpoint, "--s3-region", "us-east-1",
          "--s3-access-key-id", "key", "--s3-secret-access-key", "secret",
          "--dlq", dir.resolve("dlq").toString(), "--recovery", dir.resolve("recovery").toString());

      assertThat(r.exit()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).isEqualTo("json2parquet: Cannot use bucket far-bucket: it is not in region us-east-1"
          + " but in eu-west-1 (set s3_region eu-west-1) (HTTP 301)\n");
      assertThat(requests).isNotEmpty().allMatch(q -> q.equals("HEAD /far-bucket"), "only the preflight was sent");
    } finally {
      aws.stop(0);
    }
  }
}
