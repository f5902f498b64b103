package dev.json2parquet.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hand-written stand-in for STS AssumeRole (STS API reference, AssumeRole: a form-encoded POST,
 * an XML answer), on the JDK's HTTP server. Used because moto's server mode, the real
 * implementation the issue names, comes from the Python package index, which this project's
 * machines cannot reach. It hands out fixed credentials that expire {@code lifetime} after each call
 * and records the role ARN of every call.
 */
final class StsStandIn implements AutoCloseable {
  static final String KEY_ID = "ASIAASSUMEDROLEKEY01";
  static final String SECRET = "assumed-role-secret";

  final List<String> roleArns = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  StsStandIn(Duration lifetime, Clock clock) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String action = param(form, "Action");
      byte[] body;
      int status;
      if ("AssumeRole".equals(action)) {
        roleArns.add(param(form, "RoleArn"));
        status = 200;
        body = ("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
            + "<Credentials><AccessKeyId>" + KEY_ID + "</AccessKeyId><SecretAccessKey>" + SECRET + "</SecretAccessKey>"
            + "<SessionToken>session-token-" + roleArns.size() + "</SessionToken><Expiration>"
            + clock.instant().plus(lifetime) + "</Expiration></Credentials>"
            + "<AssumedRoleUser><AssumedRoleId>AROA:json2parquet</AssumedRoleId><Arn>" + param(form, "RoleArn")
            + "/json2parquet</Arn></AssumedRoleUser></AssumeRoleResult>"
            + "<ResponseMetadata><RequestId>r" + roleArns.size() + "</RequestId></ResponseMetadata></AssumeRoleResponse>")
            .getBytes(StandardCharsets.UTF_8);
      } else {
        status = 400;
        body = "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>".getBytes(StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().set("Content-Type", "text/xml");
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  private static String param(String form, String name) {
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
