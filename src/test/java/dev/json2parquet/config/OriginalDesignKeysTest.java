package dev.json2parquet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The original design's (Data2Parquet-go's) keys, values and example configs. */
class OriginalDesignKeysTest {

  @TempDir
  Path dir;

  private Path configFile(String json) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, json);
    return f;
  }

  private Config load(String json) throws IOException {
    return new ConfigLoader().file(configFile(json)).build();
  }

  /** snake_case name, the original's CamelCase (Fluent Bit) name, a JSON value, the value read. */
  static Stream<Arguments> originalKeys() {
    return Stream.of(
        Arguments.of("address", "Address", "\"0.0.0.0\"", "0.0.0.0"),
        Arguments.of("port", "Port", "9090", 9090L),
        Arguments.of("buffer_size", "BufferSize", "1000", 1000L),
        Arguments.of("buffer_type", "BufferType", "\"mem\"", "memory"),
        Arguments.of("debug", "Debug", "true", true),
        Arguments.of("flush_interval", "FlushInterval", "60", 60.0),
        Arguments.of("json_schema_path", "JsonSchemaPath", "\"s.json\"", "s.json"),
        Arguments.of("record_type", "RecordType", "\"dynamic\"", "dynamic"),
        Arguments.of("recovery_attempts", "RecoveryAttempts", "3", 3L),
        Arguments.of("try_auto_recover", "TryAutoRecover", "true", true),
        Arguments.of("redis_host", "RedisHost", "\"0.0.0.0:6379\"", "0.0.0.0:6379"),
        Arguments.of("redis_password", "RedisPassword", "\"secret\"", "secret"),
        Arguments.of("redis_db", "RedisDB", "2", 2L),
        Arguments.of("redis_timeout", "RedisTimeout", "7", 7.0),
        Arguments.of("redis_data_prefix", "RedisDataPrefix", "\"d\"", "d"),
        Arguments.of("redis_keys", "RedisKeys", "\"k\"", "k"),
        Arguments.of("redis_lock_prefix", "RedisLockPrefix", "\"l\"", "l"),
        Arguments.of("redis_dlq_prefix", "RedisDLQPrefix", "\"q\"", "q"),
        Arguments.of("redis_recovery_key", "RedisRecoveryKey", "\"r\"", "r"),
        Arguments.of("redis_lock_ttl", "RedisLockTTL", "30", 30.0),
        Arguments.of("redis_lock_instance_name", "RedisLockInstanceName", "\"node-1\"", "node-1"),
        Arguments.of("redis_skip_flush", "RedisSkipFlush", "true", true),
        Arguments.of("s3_bucket_name", "S3BucketName", "\"b\"", "b"),
        Arguments.of("s3_region", "S3Region", "\"us-east-2\"", "us-east-2"),
        Arguments.of("s3_endpoint", "S3Endpoint", "\"http://localhost:4566\"", "http://localhost:4566"),
        Arguments.of("s3_role_name", "S3RoleName", "\"writer\"", "writer"),
        Arguments.of("s3_account", "S3Account", "\"123456789012\"", "123456789012"),
        Arguments.of("s3_sts_endpoint", "S3STSEndpoint", "\"http://localhost:4566\"", "http://localhost:4566"),
        Arguments.of("s3_role_arn", "S3RoleARN", "\"arn:aws:iam::1:role/x\"", "arn:aws:iam::1:role/x"),
        Arguments.of("writer_compression_type", "WriterCompressionType", "\"gzip\"", "gzip"),
        Arguments.of("writer_file_path", "WriterFilePath", "\"./data\"", "./data"),
        Arguments.of("writer_row_group_size", "WriterRowGroupSize", "134217728", 134217728L),
        Arguments.of("writer_type", "WriterType", "\"file\"", "file"),
        Arguments.of("log_path", "LogPath", "\"./logs\"", "./logs"));
  }

  @ParameterizedTest(name = "{0} / {1}")
  @MethodSource("originalKeys")
  void originalKey_inSnakeAndCamelCase_setsTheSameValue(String snake, String camel, String json, Object expected)
      throws IOException {
    Config fromSnake = load("{\"" + snake + "\": " + json + "}");
    Config fromCamel = load("{\"" + camel + "\": " + json + "}");

    assertThat(fromSnake.value(snake)).isEqualTo(expected);
    assertThat(fromCamel.value(snake)).isEqualTo(expected);
  }

  @Test
  void originalKeys_haveTheOriginalDefaults() {
    Config cfg = new ConfigLoader().build();

    assertThat(cfg.recoveryAttempts()).isZero();
    assertThat(cfg.tryAutoRecover()).isFalse();
    assertThat(cfg.value("redis_data_prefix")).isEqualTo("data");
    assertThat(cfg.value("redis_keys")).isEqualTo("keys");
    assertThat(cfg.value("redis_lock_prefix")).isEqualTo("lock");
    assertThat(cfg.value("redis_dlq_prefix")).isEqualTo("dlq");
    assertThat(cfg.value("redis_recovery_key")).isEqualTo("recovery");
    assertThat(cfg.value("redis_skip_flush")).isEqualTo(false);
    assertThat(cfg.value("redis_lock_ttl")).isEqualTo(450.0); // 1.5 x the default flush_interval, 300
    assertThat(cfg.value("log_path")).isNull();
    assertThat(cfg.value("port")).isEqualTo(8080L);
  }

  @Test
  void redisLockTtl_defaultsToOneAndAHalfFlushIntervals_andInstanceNameToTheHost() throws IOException {
    Config cfg = load("{\"buffer_type\": \"redis\", \"flush_interval\": 60}");

    assertThat(cfg.value("redis_lock_ttl")).isEqualTo(90.0);
    assertThat((String) cfg.value("redis_lock_instance_name")).isNotBlank();
  }

  @Test
  void originalValues_memAndAwsS3_meanMemoryAndS3() throws IOException {
    Config cfg = load("{\"BufferType\": \"mem\", \"WriterType\": \"aws-s3\", \"S3BucketName\": \"b\"}");

    assertThat(cfg.bufferType()).isEqualTo("memory");
    assertThat(cfg.writerType()).isEqualTo("s3");
  }

  @Test
  void redisSqlPrefix_fromTheFluentBitKeyList_isTheDlqPrefix() throws IOException {
    assertThat(load("{\"RedisSQLPrefix\": \"dead\"}").value("redis_dlq_prefix")).isEqualTo("dead");
  }

  @Test
  void file_withSeveralProblems_reportsThemAllTogether() throws IOException {
    Path f = configFile("""
        {"BufferSize": 0, "s3_bucket_nme": "b", "writer_compression_type": "lz4", "redis_host": "a b",
         "partition": [1]}
        """);

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "Invalid BufferSize = 0 (config file " + f + "): must be an integer from 1 to 100000000",
            "Unknown setting 's3_bucket_nme' (config file " + f + "): did you mean s3_bucket_name?",
            "Invalid writer_compression_type = \"lz4\" (config file " + f
                + "): must be one of snappy, gzip, zstd, none, uncompressed",
            "Invalid partition (config file " + f + "): must be a string, number or boolean, not an array",
            "Invalid redis_host = \"a b\" (config file " + f
                + "): must be host:port (e.g. localhost:6379), a redis:// or rediss:// URL,"
                + " or a comma-separated list of them for a Redis Cluster"));
  }

  @Test
  void aKeyGivenTwice_inEitherSpelling_isAProblem() throws IOException {
    Path f = configFile("""
        {"buffer_size": 5, "BufferSize": 6}
        """);

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "Duplicate setting 'BufferSize' (config file " + f + "): 'buffer_size' sets it already; give it once"));
  }

  @Test
  void templateSyntaxErrors_areReportedWithTheOtherProblemsOfTheFile() throws IOException {
    Path f = configFile("""
        {"buffer_sise": 5, "partition": "{time:qqqq-bad}", "key": "{unclosed"}
        """);

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "Unknown setting 'buffer_sise' (config file " + f + "): did you mean buffer_size?",
            "Invalid partition = \"{time:qqqq-bad}\" (config file " + f
                + "): bad date pattern in {time:qqqq-bad}: Unknown pattern letter: b",
            "Invalid key = \"{unclosed\" (config file " + f + "): unclosed '{' at position 0"));
  }

  @Test
  void unknownKey_inCamelCase_suggestsTheCamelCaseName() throws IOException {
    Path f = configFile("{\"FlushIntervall\": 5}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .hasMessage("Unknown setting 'FlushIntervall' (config file " + f + "): did you mean FlushInterval?");
  }

  @Test
  void renamedProjectKey_pointsToTheOriginalName() throws IOException {
    Path f = configFile("{\"S3Bucket\": \"b\", \"redis_port\": 6379}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "Unknown setting 'S3Bucket' (config file " + f
                + "): this project now uses the original design's name: S3BucketName",
            "Unknown setting 'redis_port' (config file " + f
                + "): this project now uses the original design's name: redis_host (as host:port)"));
  }

  @Test
  void ineffectiveSettings_giveOneWarningLineEach_inTheUsersSpelling() throws IOException {
    ConfigLoader loader = new ConfigLoader()
        .file(configFile("{\"BufferType\": \"mem\", \"RedisHost\": \"h:1\", \"redis_db\": 2}"))
        .flag("json_schema_path", "s.json", "--schema")
        .flag("unknown_fields", "drop", "--unknown-fields");
    loader.build();

    assertThat(loader.ineffective()).containsExactly(
        "Ignoring RedisHost, redis_db: they have no effect with BufferType memory",
        "Ignoring --unknown-fields, --schema: they have no effect with record_type log");
  }

  @Test
  void ineffectiveSettings_atTheirDefault_giveNoWarning() {
    ConfigLoader loader = new ConfigLoader().file(Path.of("samples/config-memory.json"));
    loader.build();

    assertThat(loader.ineffective()).isEmpty();
  }

  @Test
  void effectiveSettings_giveNoWarning() throws IOException {
    ConfigLoader loader = new ConfigLoader()
        .file(configFile("{\"buffer_type\": \"redis\", \"redis_db\": 2, \"record_type\": \"dynamic\"}"))
        .flag("json_schema_path", "s.json", "--schema");
    loader.build();

    assertThat(loader.ineffective()).isEmpty();
  }

  @Test
  void originalExample_memoryBuffer_loadsAsWritten() throws Exception {
    Config cfg = new ConfigLoader().file(resource("memory-buffer-file-writer.json")).build();

    assertThat(cfg.bufferType()).isEqualTo("memory");
    assertThat(cfg.flushIntervalSeconds()).isEqualTo(60.0);
    assertThat(cfg.outDir()).isEqualTo(Path.of("./data"));
    assertThat(cfg.rowGroupBytes()).isEqualTo(134217728L);
  }

  @Test
  void originalExample_redisBuffer_loadsAsWritten() throws Exception {
    ConfigLoader loader = new ConfigLoader().file(resource("redis-buffer-file-writer.json"));
    Config cfg = loader.build();

    assertThat(cfg.bufferType()).isEqualTo("redis");
    assertThat(cfg.bufferSize()).isEqualTo(1000);
    assertThat(cfg.value("redis_host")).isEqualTo("0.0.0.0:6379");
    assertThat(cfg.value("redis_password")).isEqualTo("");
    assertThat(cfg.value("log_path")).isEqualTo("./logs");
    assertThat(loader.ineffective()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"config-memory.json", "config-redis.json", "config-s3.json", "config-fluentbit.json",
      "data2parquet-memory.json", "data2parquet-redis.json"})
  void samples_load(String name) {
    Path sample = Path.of("samples", name);

    assertThat(new ConfigLoader().file(sample).build()).isNotNull();
  }

  @Test
  void samples_originalExamples_areTheTestResourcesVerbatim() throws Exception {
    assertThat(Files.readString(Path.of("samples/data2parquet-memory.json")))
        .isEqualTo(Files.readString(resource("memory-buffer-file-writer.json")));
    assertThat(Files.readString(Path.of("samples/data2parquet-redis.json")))
        .isEqualTo(Files.readString(resource("redis-buffer-file-writer.json")));
  }

  @Test
  void sampleMemoryConfig_listsEveryDefault() {
    Config sample = new ConfigLoader().file(Path.of("samples/config-memory.json")).build();
    Config defaults = new ConfigLoader().build();

    for (Map.Entry<String, Object> e : defaults.values().entrySet()) {
      assertThat(sample.value(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(OriginalDesignKeysTest.class.getResource("/data2parquet/" + name).toURI());
  }
}
