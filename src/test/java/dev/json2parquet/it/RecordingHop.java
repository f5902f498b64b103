package dev.json2parquet.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP hop in front of S3Proxy (or another server) that records each request's access key id
 * (from the SigV4 Authorization header) and session token and each answer's body, and forwards the
 * request without the
 * {@code x-amz-security-token} header, which S3Proxy 3.0 answers with 501 Not Implemented. S3Proxy
 * behind it runs without authentication, so what is asserted is what the hop saw.
 */
final class RecordingHop implements AutoCloseable {
  private static final Set<String> DROPPED = Set.of("host", "content-length", "connection", "expect", "upgrade",
      "transfer-encoding", "x-amz-security-token");

  /** {@code KEYID token} of every request. */
  final List<String> seen = new CopyOnWriteArrayList<>();
  /** The body of every answer, as text. */
  final List<String> answers = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();

  RecordingHop(String target) throws IOException {
    this(target, UnaryOperator.identity());
  }

  /**
   * A hop whose answers' bodies pass through {@code rewrite} (text in, text out) before they are
   * recorded and returned: a test can shorten a real server's credential expiry this way.
   */
  RecordingHop(String target, UnaryOperator<String> rewrite) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      String keyId = auth == null || !auth.contains("Credential=") ? "-"
          : auth.substring(auth.indexOf("Credential=") + 11, auth.indexOf('/', auth.indexOf("Credential=")));
      seen.add(keyId + " " + exchange.getRequestHeaders().getFirst("x-amz-security-token"));
      byte[] body = exchange.getRequestBody().readAllBytes();
      HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
          .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      exchange.getRequestHeaders().forEach((name, values) -> {
        if (!DROPPED.contains(name.toLowerCase(Locale.ROOT))) {
          values.forEach(v -> forward.header(name, v));
        }
      });
      HttpResponse<byte[]> answer;
      try {
        answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      answer.headers().map().forEach((name, values) -> {
        if (!DROPPED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
          values.forEach(v -> exchange.getResponseHeaders().add(name, v));
        }
      });
      String text = rewrite.apply(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
      byte[] out = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      answers.add(text);
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(answer.statusCode(), head || out.length == 0 ? -1 : out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        if (!head) {
          o.write(out);
        }
      }
    });
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
