package dev.json2parquet.cli;

import dev.json2parquet.config.ConfigLoader;
import picocli.CommandLine.Option;

/**
 * Where and how {@code serve} listens: addresses, ports, authentication, TLS and the limits that keep
 * a misbehaving client from holding memory or connections. A picocli mixin; each flag names its
 * config key (address and port are the original design's keys).
 */
final class ServeOptions {
  @Option(names = "--address", paramLabel = "HOST",
      description = "Address both listeners bind to (address; default 127.0.0.1, loopback only).")
  String address;

  @Option(names = "--port", paramLabel = "PORT", description = "HTTP port (port; default 8080; 0: any free port).")
  String port;

  @Option(names = "--forward-port", paramLabel = "PORT",
      description = "Fluent forward-protocol port (forward_port; default 24224; 0: any free port; -1: off).")
  String forwardPort;

  @Option(names = "--auth-token-file", paramLabel = "FILE",
      description = "File holding the bearer token every HTTP endpoint but the health checks requires (auth_token_file).")
  String authTokenFile;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "TLS certificate chain, PEM, for both listeners (tls_cert).")
  String tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "TLS private key, PKCS#8 PEM (tls_key).")
  String tlsKey;

  @Option(names = "--forward-shared-key", paramLabel = "KEY",
      description = "Shared key of the forward protocol's handshake (forward_shared_key); clients without it are refused.")
  String forwardSharedKey;

  @Option(names = "--forward-users-file", paramLabel = "FILE",
      description = "File of user:password lines; forward clients must also give one of them in the handshake "
          + "(forward_users_file; needs --forward-shared-key).")
  String forwardUsersFile;

  @Option(names = "--max-body-bytes", paramLabel = "BYTES",
      description = "Largest request body, after gzip decoding, and largest forward message (max_body_bytes; default 64MiB).")
  String maxBodyBytes;

  @Option(names = "--max-connections", paramLabel = "N",
      description = "Connections held at once over both listeners; more are closed at once (max_connections; default 1024).")
  String maxConnections;

  @Option(names = "--client-timeout", paramLabel = "SECONDS",
      description = "A connection that sends nothing for this long is closed; 408 mid-request (client_timeout; default 30).")
  String clientTimeout;

  @Option(names = "--tag-field", paramLabel = "FIELD",
      description = "Where a forward event's tag goes: a field, or MAP.KEY in a map field; '' drops it "
          + "(tag_field; default args.tag for log records, tag for dynamic ones).")
  String tagField;

  ConfigLoader apply(ConfigLoader loader) {
    return loader
        .flag("address", address, "--address")
        .flag("port", port, "--port")
        .flag("forward_port", forwardPort, "--forward-port")
        .flag("auth_token_file", authTokenFile, "--auth-token-file")
        .flag("tls_cert", tlsCert, "--tls-cert")
        .flag("tls_key", tlsKey, "--tls-key")
        .flag("forward_shared_key", forwardSharedKey, "--forward-shared-key")
        .flag("forward_users_file", forwardUsersFile, "--forward-users-file")
        .flag("max_body_bytes", maxBodyBytes, "--max-body-bytes")
        .flag("max_connections", maxConnections, "--max-connections")
        .flag("client_timeout", clientTimeout, "--client-timeout")
        .flag("tag_field", tagField, "--tag-field");
  }
}
