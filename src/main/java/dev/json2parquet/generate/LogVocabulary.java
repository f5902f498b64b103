package dev.json2parquet.generate;

import static dev.json2parquet.generate.JsonLineWriter.bytes;

/**
 * Word lists for {@link LogGenerator}, each entry already encoded as JSON-escaped UTF-8 (the
 * inside of a JSON string, without quotes) so that records can be assembled by copying bytes.
 */
final class LogVocabulary {

  private LogVocabulary() {}

  private static byte[][] escapeAll(String... values) {
    byte[][] out = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      out[i] = JsonLineWriter.escape(values[i]);
    }
    return out;
  }

  private static byte[][] bytesAll(String... values) {
    byte[][] out = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      out[i] = bytes(values[i]);
    }
    return out;
  }

  // The four business key parts. Their product (8 * 8 * 10 * 12) is KEY_SPACE.
  static final byte[][] CAPABILITIES = escapeAll("payments", "customer-management", "lending",
      "fraud-detection", "onboarding", "trading", "insurance", "identity");
  static final byte[][] DOMAINS = escapeAll("retail", "corporate", "wealth", "cards", "mortgages",
      "treasury", "compliance", "marketing");
  static final byte[][] SERVICES = escapeAll("ledger", "checkout", "notifications", "kyc",
      "pricing", "statements", "risk-engine", "auth", "search", "reporting");
  static final byte[][] APPLICATION_SERVICES = escapeAll("ledger-api", "ledger-worker",
      "checkout-web", "batch-runner", "event-consumer", "gateway", "scheduler", "etl-loader",
      "mobile-bff", "admin-ui", "webhook-relay", "audit-sink");
  static final long KEY_SPACE = (long) CAPABILITIES.length * DOMAINS.length * SERVICES.length
      * APPLICATION_SERVICES.length;

  /** Levels, quoted: INFO, DEBUG, WARN, ERROR. */
  static final byte[][] LEVELS = bytesAll("\"INFO\"", "\"DEBUG\"", "\"WARN\"", "\"ERROR\"");
  static final int INFO = 0;
  static final int DEBUG = 1;
  static final int WARN = 2;
  static final int ERROR = 3;

  static final byte[][] MESSAGES = escapeAll(
      "Request completed", "Payment authorised", "User signed in", "Cache refreshed",
      "Scheduled job started", "Scheduled job finished", "Message published to topic",
      "Message consumed from queue", "Health check passed", "Configuration reloaded",
      "Session created", "Token refreshed", "Record updated", "Batch flushed to storage",
      "Connection pool resized", "Feature flag evaluated", "Outbound call succeeded",
      "Utilisateur créé avec succès", "Zahlung über 12,50 € abgeschlossen",
      "Pedido recibido: señal de confirmación", "Kunde «Müller» hat sich angemeldet",
      "ユーザーが作成されました", "注文を処理しています", "결제가 완료되었습니다",
      "Заказ отправлен клиенту", "Ελέγχθηκε η συναλλαγή", "🚀 deployment finished",
      "✅ reconciliation ok 👍🏽", "📦 shipment dispatched to 東京", "naïve café résumé sync",
      "Rare CJK name 𠮷野家 stored", "math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 label rendered");
  static final byte[][] PROBLEM_MESSAGES = escapeAll(
      "Request failed", "Retrying outbound call", "Slow query detected", "Payment declined",
      "Upstream timeout", "Validation failed", "Rate limit exceeded", "Circuit breaker opened",
      "Disk usage above threshold", "Deserialization error", "Zahlung fehlgeschlagen für Kunde",
      "処理に失敗しました", "🔥 cache miss storm", "Échec de l'authentification");
  /** Messages holding characters that JSON must escape. */
  static final byte[][] ESCAPE_MESSAGES = escapeAll(
      "User said \"hello\" and left", "Path C:\\Users\\svc\\AppData\\cache.db not found",
      "col1\tcol2\tcol3", "control char \u0001 in payload", "bell \u0007 and escape \u001b[31m red",
      "carriage\rreturn", "form\ffeed and back\bspace", "unit sep \u001f delete \u007f",
      "multi\nline\nmessage", "JSON in text: {\"a\":[1,2,\"x\\\\y\"]}", "</script><b>\"&amp;\"</b>",
      "line separator \u2028 paragraph \u2029 end", "mix \"é\"\t😀\\n literal");
  static final byte[][] DETAIL_KEYS = escapeAll("orderId", "userId", "attempt", "latencyMs",
      "rows", "bytes", "partition", "offset", "status", "itemCount");
  static final byte[] LONG_CHUNK = JsonLineWriter.escape(
      " Lorem ipsum dolor sit amet, consectetur adipiscing elit; ünïcödé ✓ 長い文章 🙂.");

  static final byte[][] USERS = escapeAll("alice", "bob.smith", "zoë.müller", "jürgen",
      "田中太郎", "svc-batch", "o'connor", "李雷", "maría.josé", "admin", "анна");
  static final byte[][] DEVICE_PREFIXES = escapeAll("ios-", "android-", "web-", "pos-", "kiosk-");
  static final byte[][] RESOURCE_TYPES = escapeAll("k8s-pod", "lambda", "vm", "container",
      "cloud-run", "ecs-task", "app-service", "bare-metal");
  static final byte[][] CLOUD_PROVIDERS = escapeAll("aws", "aws", "aws", "gcp", "gcp", "azure",
      "on-prem");
  static final byte[][] HTTP_RESPONSES = escapeAll("200", "200", "200", "200", "200", "200",
      "201", "204", "301", "304", "400", "401", "403", "404", "409", "429", "500", "502", "503");
  static final byte[][] ERROR_CODE_PREFIXES = escapeAll("E", "ERR-", "PAY-", "AUTH-", "DB-");
  static final byte[][] REGIONS = escapeAll("eu-west-1", "eu-central-1", "us-east-1",
      "us-west-2", "ap-northeast-1", "ap-southeast-2", "europe-west4", "westeurope");
  static final byte[][] TTLS = escapeAll("7d", "30d", "90d", "365d", "P30D", "24h", "forever");
  static final byte[][] LOGGERS = escapeAll("com.acme.ledger.LedgerService",
      "com.acme.checkout.CheckoutController", "com.acme.kyc.VerificationClient",
      "com.acme.pricing.PriceCalculator", "org.hibernate.SQL", "org.apache.kafka.clients.Consumer",
      "io.netty.channel.DefaultChannelPipeline", "root", "com.acme.auth.TokenFilter");
  static final byte[][] THREAD_PREFIXES = escapeAll("http-nio-8080-exec-", "kafka-consumer-",
      "ForkJoinPool.commonPool-worker-", "scheduling-", "grpc-default-executor-", "main-",
      "ワーカー-");
  static final byte[][] TAGS = escapeAll("prod", "canary", "blue", "green", "pci", "gdpr",
      "beta", "internal", "external", "batch", "realtime", "critical", "low-priority", "eu",
      "us", "テスト");
  static final byte[][] ARG_KEYS = escapeAll("orderId", "customerId", "amount", "currency",
      "retry", "sql", "path", "method", "queue", "count", "locale", "note");
  static final byte[][] ARG_VALUES = escapeAll("EUR", "USD", "GET", "POST", "/api/v1/orders",
      "SELECT * FROM accounts WHERE id = ?", "true", "", "de-DE", "ja-JP", "Ümlaut-Wert",
      "値", "🧾 receipt", "tab\tseparated", "quote\"inside");
  static final byte[][] EXTRA_KEYS = escapeAll("k8s_pod", "k8s_namespace", "build", "git_sha",
      "feature_flag", "experiment", "customer_tier", "client_version", "retry_count", "host",
      "ümlaut_key", "キー");
  static final byte[][] EXCEPTIONS = escapeAll(
      "java.lang.IllegalStateException: Connection pool exhausted",
      "java.net.SocketTimeoutException: Read timed out",
      "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"name\" is null",
      "com.acme.payments.PaymentDeclinedException: Karte abgelehnt für Kunde «Müller»",
      "org.springframework.dao.DataIntegrityViolationException: duplicate key value",
      "java.util.concurrent.TimeoutException: 処理がタイムアウトしました");
  static final byte[][] CAUSES = escapeAll("java.io.IOException: Connection reset by peer",
      "java.sql.SQLException: deadlock detected", "java.lang.ArithmeticException: / by zero");
  /** Stack frames up to and including "(File.java:"; the caller appends the line and ")". */
  static final byte[][] FRAMES = escapeAll(
      "com.acme.ledger.LedgerService.post(LedgerService.java:",
      "com.acme.ledger.LedgerRepository.save(LedgerRepository.java:",
      "com.acme.checkout.CheckoutController.submit(CheckoutController.java:",
      "com.acme.common.Retry.lambda$run$0(Retry.java:",
      "com.acme.pricing.PriceCalculator.<init>(PriceCalculator.java:",
      "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:",
      "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:",
      "java.base/java.lang.Thread.run(Thread.java:");
  static final byte[] FRAME_SEPARATOR = JsonLineWriter.escape("\n\tat ");
  static final byte[] CAUSED_BY = JsonLineWriter.escape("\nCaused by: ");
  static final byte[] MORE_PREFIX = JsonLineWriter.escape("\n\t... ");

  // ---- invalid lines ----

  static final byte[][] NOT_JSON = bytesAll(
      "<html><body><h1>502 Bad Gateway</h1></body></html>",
      "level=INFO msg=\"request completed\" service=checkout duration=12ms",
      "{time: '2024-11-24T03:04:05.123Z', level: 'INFO'}",
      "undefined", "NaN", "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
      "--- log rotated ---", "#Fields: date time cs-method cs-uri-stem sc-status");
  static final byte[][] ARRAY_LINES = bytesAll("[]", "[1,2,3]", "[\"INFO\",\"hello\"]",
      "[{\"level\":\"INFO\"},{\"level\":\"WARN\"}]");
  static final byte[][] SCALAR_LINES = bytesAll("null", "\"just a string\"",
      "\"{\\\"time\\\":\\\"2024-11-24T03:04:05.123Z\\\",\\\"level\\\":\\\"INFO\\\"}\"", "null");
  static final byte[][] TRAILING_GARBAGE = bytesAll("}", " xyz", "{\"extra\":true}", ",", "]",
      " // trailing comment", " 42");
  static final byte[][] BAD_TIME = bytesAll("12", "1732417445123", "true", "[\"2024-11-24T03:04:05Z\"]",
      "{\"epoch\":1732417445}");
  static final byte[][] BAD_LEVEL = bytesAll("[\"x\"]", "3", "false", "{\"name\":\"INFO\"}");
  static final byte[][] BAD_BOOLEAN = bytesAll("\"maybe\"", "\"true\"", "1", "[true]", "{}");
  static final byte[][] INVALID_UTF8 = {
      {(byte) 0xC3, (byte) 0x28}, {(byte) 0xFF}, {(byte) 0x80, 'x'}, {(byte) 0xE6, (byte) 0x97, '('}};
  static final byte[] DEEP_OPEN = bytes("{\"a\":");
}
