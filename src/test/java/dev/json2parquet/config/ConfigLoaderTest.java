package dev.json2parquet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.json2parquet.parquet.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

  private static final long MIB = 1L << 20;

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

  private String origin(Path f) {
    return "config file " + f;
  }

  // ---- defaults ----------------------------------------------------------------------------

  @Test
  void build_withNothingSet_usesDocumentedDefaults() {
    Config cfg = new ConfigLoader().build();

    assertThat(cfg.bufferSize()).isEqualTo(1_000_000);
    assertThat(cfg.compression()).isEqualTo(Compression.SNAPPY);
    assertThat(cfg.maxBufferBytes()).isEqualTo(256 * MIB);
    assertThat(cfg.flushIntervalSeconds()).isEqualTo(300.0);
    assertThat(cfg.outDir()).isEqualTo(Path.of("./out"));
    assertThat(cfg.dlqDir()).isEqualTo(Path.of("./out/_dlq"));
    assertThat(cfg.writerType()).isEqualTo("file");
    assertThat(cfg.bufferType()).isEqualTo("memory");
    assertThat(cfg.recordType()).isEqualTo("log");
    assertThat(cfg.schemaPath()).isNull();
    assertThat(cfg.value("redis_host")).isEqualTo("localhost:6379");
    assertThat(cfg.partitionTemplate()).isEqualTo(
        "capability={business_capability}/year={time:yyyy}/month={time:MM}/day={time:dd}/hour={time:HH}");
    assertThat(new ConfigLoader().origin("buffer_size")).isEqualTo("default");
  }

  @Test
  void build_withOtherOutDirAndNoDlqPath_putsDlqUnderOutDir() throws IOException {
    Config cfg = load("{\"writer_file_path\": \"/data/parquet\"}");

    assertThat(cfg.outDir()).isEqualTo(Path.of("/data/parquet"));
    assertThat(cfg.dlqDir()).isEqualTo(Path.of("/data/parquet/_dlq"));
  }

  // ---- config file spellings -----------------------------------------------------------------

  @Test
  void file_withSnakeCaseKeys_appliesThem() throws IOException {
    Config cfg = load("""
        {"buffer_size": 500, "writer_compression_type": "zstd", "s3_bucket_name": "logs",
         "redis_host": "cache:6380", "json_schema_path": "schema.json", "flush_interval": 2.5}
        """);

    assertThat(cfg.bufferSize()).isEqualTo(500);
    assertThat(cfg.compression()).isEqualTo(Compression.ZSTD);
    assertThat(cfg.value("s3_bucket_name")).isEqualTo("logs");
    assertThat(cfg.value("redis_host")).isEqualTo("cache:6380");
    assertThat(cfg.schemaPath()).isEqualTo(Path.of("schema.json"));
    assertThat(cfg.flushIntervalSeconds()).isEqualTo(2.5);
  }

  @Test
  void file_withCamelCaseKeys_appliesThemAsSnakeCase() throws IOException {
    Config cfg = load("""
        {"BufferSize": 700, "WriterCompressionType": "gzip", "S3BucketName": "archive",
         "RedisDB": 3, "JsonSchemaPath": "s.json"}
        """);

    assertThat(cfg.bufferSize()).isEqualTo(700);
    assertThat(cfg.compression()).isEqualTo(Compression.GZIP);
    assertThat(cfg.value("s3_bucket_name")).isEqualTo("archive");
    assertThat(cfg.value("redis_db")).isEqualTo(3L);
    assertThat(cfg.schemaPath()).isEqualTo(Path.of("s.json"));
  }

  // ---- precedence ------------------------------------------------------------------------------

  @Test
  void precedence_flagBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
    Path f = configFile("{\"buffer_size\": 10, \"threads\": 3, \"key\": \"{level}\"}");
    Map<String, String> env = Map.of("JSON2PARQUET_BUFFER_SIZE", "20", "JSON2PARQUET_THREADS", "4",
        "HOME", "/root");

    ConfigLoader loader = new ConfigLoader().file(f).environment(env)
        .flag("buffer_size", "30", "--buffer-size");
    Config cfg = loader.build();

    assertThat(cfg.bufferSize()).isEqualTo(30);
    assertThat(loader.origin("buffer_size")).isEqualTo("flag --buffer-size");
    assertThat(cfg.threads()).isEqualTo(4);
    assertThat(loader.origin("threads")).isEqualTo("environment variable JSON2PARQUET_THREADS");
    assertThat(cfg.key()).isEqualTo("{level}");
    assertThat(loader.origin("key")).isEqualTo(origin(f));
    assertThat(cfg.compression()).isEqualTo(Compression.SNAPPY);
    assertThat(loader.origin("writer_compression_type")).isEqualTo("default");
  }

  @Test
  void flag_withNullValue_leavesEarlierValue() {
    Config cfg = new ConfigLoader().environment(Map.of("JSON2PARQUET_BUFFER_SIZE", "20"))
        .flag("buffer_size", null, "--buffer-size").build();

    assertThat(cfg.bufferSize()).isEqualTo(20);
  }

  // ---- unknown keys and wrong types --------------------------------------------------------------

  @Test
  void file_withUnknownKey_namesItAndListsKnownSettings() throws IOException {
    Path f = configFile("{\"zzz_unrelated_thing\": 5}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Unknown setting 'zzz_unrelated_thing' (" + origin(f) + "); known settings: ")
        .hasMessageContaining("address, port, buffer_size, buffer_type, debug")
        .hasMessageContaining("redis_host")
        .hasMessageContaining("s3_role_arn");
  }

  @Test
  void environment_withUnknownPrefixedVariable_namesIt() {
    assertThatThrownBy(() -> new ConfigLoader().environment(Map.of("JSON2PARQUET_BOGUS", "1")).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Unknown setting 'bogus' (environment variable JSON2PARQUET_BOGUS)");
  }

  @Test
  void file_withUnknownKeyWhoseValueIsNull_isRejected() throws IOException {
    Path f = configFile("{\"bogus\": null}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Unknown setting 'bogus'");
  }

  @Test
  void file_withNonNumericStringForCount_namesKeyValueAndRange() throws IOException {
    Path f = configFile("{\"buffer_size\": \"lots\"}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid buffer_size = \"lots\" (" + origin(f) + "): must be an integer from 1 to 100000000");
  }

  @Test
  void file_withNumberForString_namesKeyValueAndType() throws IOException {
    Path f = configFile("{\"writer_file_path\": 42}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid writer_file_path = 42 (" + origin(f) + "): must be a string");
  }

  @Test
  void file_withObjectOrArrayValue_saysOnlyScalarsAreAllowed() throws IOException {
    Path obj = configFile("{\"buffer_size\": {\"a\": 1}}");
    assertThatThrownBy(() -> new ConfigLoader().file(obj).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid buffer_size (" + origin(obj) + "): must be a string, number or boolean, not an object");

    Path arr = configFile("{\"partition\": [\"a\"]}");
    assertThatThrownBy(() -> new ConfigLoader().file(arr).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid partition (" + origin(arr) + "): must be a string, number or boolean, not an array");
  }

  @Test
  void flag_withFractionForCount_isRejected() {
    assertThatThrownBy(() -> new ConfigLoader().flag("buffer_size", "2.5", "--buffer-size").build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid buffer_size = \"2.5\" (flag --buffer-size): must be an integer from 1 to 100000000");
  }

  @Test
  void flag_withNonBooleanForBool_namesAllowedValues() {
    assertThatThrownBy(() -> new ConfigLoader().flag("redis_tls", "yes", "--redis-tls").build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid redis_tls = \"yes\" (flag --redis-tls): must be true or false");
  }

  // ---- ranges and choices -----------------------------------------------------------------------

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {
      "buffer_size           | 0     | must be an integer from 1 to 100000000",
      "port                  | 70000 | must be an integer from 0 to 65535",
      "writer_row_group_size | 10    | must be a size in bytes from 1MiB to 2GiB (a number, or with a unit such as 64MiB)",
      "max_buffer_bytes      | 1024  | must be a size in bytes from 4MiB to 64GiB (a number, or with a unit such as 64MiB)",
      "threads               | 257   | must be an integer from 1 to 256",
  })
  void file_withNumberOutOfRange_namesKeyValueAndRange(String key, long value, String allowed) throws IOException {
    Path f = configFile("{\"" + key + "\": " + value + "}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid " + key + " = " + value + " (" + origin(f) + "): " + allowed);
  }

  @Test
  void environment_withZeroFlushInterval_isRejected() {
    assertThatThrownBy(() -> new ConfigLoader().environment(Map.of("JSON2PARQUET_FLUSH_INTERVAL", "0")).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid flush_interval = \"0\" (environment variable JSON2PARQUET_FLUSH_INTERVAL):"
            + " must be a number of seconds greater than 0 and at most 604800");
  }

  @Test
  void file_withUnsupportedCompression_listsChoices() throws IOException {
    Path f = configFile("{\"writer_compression_type\": \"lz4\"}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid writer_compression_type = \"lz4\" (" + origin(f)
            + "): must be one of snappy, gzip, zstd, none, uncompressed");
  }

  @Test
  void file_withUnsupportedBufferType_listsChoices() throws IOException {
    Path f = configFile("{\"BufferType\": \"kafka\"}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid BufferType = \"kafka\" (" + origin(f) + "): must be one of memory, mem, redis");
  }

  @Test
  void choice_isCaseInsensitive() {
    Config cfg = new ConfigLoader().flag("writer_compression_type", " ZSTD ", "--compression").build();

    assertThat(cfg.compression()).isEqualTo(Compression.ZSTD);
  }

  // ---- the file itself --------------------------------------------------------------------------

  @Test
  void file_withInvalidJson_namesFileAndLine() throws IOException {
    Path f = configFile("{\n\"buffer_size\": ,\n}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid " + origin(f) + ": not valid JSON: ")
        .hasMessageEndingWith(" at line 2");
  }

  @Test
  void file_whoseRootIsNotAnObject_isRejected() throws IOException {
    Path f = configFile("[1, 2]");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid " + origin(f) + ": must be a JSON object of settings");
  }

  @Test
  void file_withSecondObject_isRejected() throws IOException {
    Path f = configFile("{} {}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid " + origin(f) + ": unexpected content after the settings object");
  }

  @Test
  void file_thatDoesNotExist_saysSo() {
    Path f = dir.resolve("nope.json");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Cannot read config file " + f + ": no such file");
  }

  @Test
  void file_withIntegerBeyondLongRange_namesTheKey() throws IOException {
    Path f = configFile("{\"buffer_size\": 99999999999999999999}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid buffer_size = 99999999999999999999");
  }

  // ---- units and notation -----------------------------------------------------------------------

  @Test
  void byteSizes_withUnits_parse() throws IOException {
    Config cfg = load("""
        {"max_buffer_bytes": "64MiB", "writer_row_group_size": "1g", "writer_page_size": "1000kb",
         "s3_part_size": "8 m"}
        """);

    assertThat(cfg.maxBufferBytes()).isEqualTo(64 * MIB);
    assertThat(cfg.rowGroupBytes()).isEqualTo(1L << 30);
    assertThat(cfg.pageBytes()).isEqualTo(1_000_000);
    assertThat(cfg.value("s3_part_size")).isEqualTo(8 * MIB);
  }

  @Test
  void byteSize_withUnknownUnit_isRejected() {
    assertThatThrownBy(() -> new ConfigLoader().flag("max_buffer_bytes", "64XB", "--max-buffer-bytes").build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid max_buffer_bytes = \"64XB\" (flag --max-buffer-bytes): must be a size in bytes"
            + " from 4MiB to 64GiB (a number, or with a unit such as 64MiB)");
  }

  @Test
  void counts_inScientificNotation_parse() throws IOException {
    assertThat(load("{\"buffer_size\": 1e6}").bufferSize()).isEqualTo(1_000_000);
    assertThat(load("{\"buffer_size\": \"1e6\"}").bufferSize()).isEqualTo(1_000_000);
    assertThat(new ConfigLoader().environment(Map.of("JSON2PARQUET_BUFFER_SIZE", "2.5e3")).build().bufferSize())
        .isEqualTo(2500);
    assertThat(new ConfigLoader().flag("writer_page_size", "1e6", "--page-size").build().pageBytes())
        .isEqualTo(1_000_000);
  }

  // ---- features not built yet, validated now ----------------------------------------------------------

  @Test
  void redisAndS3Keys_areValidatedNow() {
    assertThatThrownBy(() -> new ConfigLoader().flag("redis_db", "abc", "--redis-db").build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid redis_db = \"abc\" (flag --redis-db): must be an integer from 0 to 1000000");
    assertThatThrownBy(() -> new ConfigLoader().flag("redis_timeout", "-1", "--redis-timeout").build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid redis_timeout = \"-1\"")
        .hasMessageEndingWith("must be a number of seconds greater than 0 and at most 3600");
    assertThatThrownBy(() -> new ConfigLoader().flag("s3_part_size", "1MiB", "--s3-part-size").build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid s3_part_size = \"1MiB\"")
        .hasMessageContaining("from 5MiB to 5GiB");
  }

  @Test
  void s3Endpoint_thatIsNotAUrl_isRejected() throws IOException {
    Path f = configFile("{\"S3Endpoint\": \"minio:9000\"}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid S3Endpoint = \"minio:9000\" (" + origin(f) + "): must be an http:// or https:// URL");
  }

  @Test
  void s3Endpoint_thatIsAUrl_isKept() throws IOException {
    assertThat(load("{\"s3_endpoint\": \"http://minio:9000\"}").value("s3_endpoint")).isEqualTo("http://minio:9000");
  }

  @Test
  void s3RoleArn_notStartingWithArn_isRejected() {
    ConfigLoader loader = new ConfigLoader()
        .environment(Map.of("JSON2PARQUET_S3_ROLE_ARN", "role/uploader"));

    assertThatThrownBy(loader::build)
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid s3_role_arn = \"role/uploader\" (environment variable JSON2PARQUET_S3_ROLE_ARN):"
            + " must be an ARN such as arn:aws:iam::123456789012:role/name");
  }

  @Test
  void writerTypeS3_withoutBucket_isRejected() throws IOException {
    Path f = configFile("{\"writer_type\": \"s3\"}");

    assertThatThrownBy(() -> new ConfigLoader().file(f).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid writer_type = \"s3\" (" + origin(f) + "): s3_bucket_name must be set too");
  }

  @Test
  void writerTypeS3_withBucket_isAccepted_andLocalMeansFile() throws IOException {
    assertThat(load("{\"writer_type\": \"s3\", \"s3_bucket_name\": \"b\"}").writerType()).isEqualTo("s3");
    assertThat(load("{\"writer_type\": \"local\"}").writerType()).isEqualTo("file");
  }

  @Test
  void outS3Url_isTheShortFormOfWriterTypeBucketAndPrefix_andKeepsTheLocalDirectoryDefault() {
    Config cfg = new ConfigLoader().flag("writer_file_path", "s3://logs/raw/json", "--out").build();

    assertThat(cfg.writerType()).isEqualTo("s3");
    assertThat(cfg.value("s3_bucket_name")).isEqualTo("logs");
    assertThat(cfg.value("s3_prefix")).isEqualTo("raw/json");
    assertThat(cfg.outDir()).isEqualTo(Path.of("./out"));
    assertThat(cfg.recoveryDir()).isEqualTo(Path.of("./out/_recovery"));
  }

  @Test
  void outS3Url_contradictedByTheBucketKeyOrWriterTypeFile_isRejected() {
    assertThatThrownBy(() -> new ConfigLoader().flag("s3_bucket_name", "other", "--s3-bucket-name")
        .flag("writer_file_path", "s3://logs/raw", "--out").build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid writer_file_path = \"s3://logs/raw\" (flag --out): names bucket logs but s3_bucket_name is other");
    assertThatThrownBy(() -> new ConfigLoader().flag("writer_type", "file", "--writer-type")
        .flag("writer_file_path", "s3://logs", "--out").build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid writer_file_path = \"s3://logs\" (flag --out): an S3 URL needs writer_type s3, not file");
  }
}
