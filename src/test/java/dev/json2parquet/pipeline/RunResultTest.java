package dev.json2parquet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The summary line and run ids, formatted by hand, read as String.format would write them. */
class RunResultTest {

  @Test
  void summary_readsLikeTheFormattedLine() {
    // records, written, dead-lettered, in recovery, failed, dropped fields, files, bytes out, bytes in, seconds
    RunResult r = new RunResult(1_000_000, 999_990, 7, 0, 3, 0, 10, 94_087_833, 548_000_000, 3.46, "out/_dlq/x.jsonl",
        "json2parquet recover -o out", List.of(), null, 0, 0, List.of(), RunResult.Spread.NONE);
    assertThat(r.summary()).isEqualTo("json2parquet: 1000000 records read, 999990 written to 10 files (94.1 MB), "
        + "7 dead-lettered (out/_dlq/x.jsonl), 3.5 s, 158.4 MB/s; 3 records NOT written");
  }

  @Test
  void summary_usesSingularsForOne_andOmitsTheRateUnderASecond() {
    RunResult r = new RunResult(1, 1, 0, 0, 0, 0, 1, 3_600, 300, 0.42, "out/_dlq/x.jsonl", "", List.of(), null, 0, 0, List.of(), RunResult.Spread.NONE);

    assertThat(r.summary()).isEqualTo("json2parquet: 1 record read, 1 written to 1 file (3.6 kB), 0 dead-lettered, 0.4 s");
  }

  @Test
  void summary_countsRecordsPlacedByIngestTime() {
    RunResult r = new RunResult(2, 1, 0, 0, 1, 0, 1, 3_600, 300, 1.0, "x", "", List.of(), null, 2, 0, List.of(), RunResult.Spread.NONE);

    assertThat(r.summary()).isEqualTo("json2parquet: 2 records read, 1 written to 1 file (3.6 kB), 0 dead-lettered,"
        + " 2 placed by ingest time (event time missing or unparseable), 1.0 s, 0.0 MB/s; 1 record NOT written");
  }

  @Test
  void summary_withRecordsInRecovery_saysHowToRecoverThem() {
    RunResult r = new RunResult(100, 60, 0, 40, 0, 0, 3, 1_000, 10_000, 1.0, "out/_dlq/x.jsonl",
        "json2parquet recover -o out", List.of(), null, 0, 0, List.of(), RunResult.Spread.NONE);

    assertThat(r.summary()).endsWith("; 40 records in recovery (recover with: json2parquet recover -o out)");
    assertThat(r.ok()).isFalse();
  }

  @Test
  void summary_withDroppedFields_countsThem() {
    RunResult r = new RunResult(2, 2, 0, 0, 0, 3, 1, 1_000, 100, 1.0, "out/_dlq/x.jsonl", "", List.of(), null, 0, 0, List.of(), RunResult.Spread.NONE);
    assertThat(r.summary()).isEqualTo("json2parquet: 2 records read, 2 written to 1 file (1.0 kB), "
        + "0 dead-lettered, 3 fields dropped (not in the schema), 1.0 s, 0.0 MB/s");
  }

  @Test
  void oneDecimal_matchesFormatOnOrdinaryValues() {
    for (double v : new double[] {0, 0.04, 0.96, 1.0, 12.34, 158.38, 999.94, 12345.6}) {
      assertThat(RunResult.oneDecimal(v)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%.1f", v));
    }
    assertThat(RunResult.human(999)).isEqualTo("999 B");
    assertThat(RunResult.human(1_500)).isEqualTo("1.5 kB");
  }

  @Test
  void runId_isTheUtcStartAndFourHexDigits() {
    assertThat(Converter.runId(Instant.parse("2026-01-02T03:04:05.678Z"), 0xab)).isEqualTo("20260102T030405Z-00ab");
    assertThat(Converter.runId(Instant.parse("2026-12-31T23:59:59Z"), 0xffff)).isEqualTo("20261231T235959Z-ffff");
  }

  /** A run of {@code files} files, {@code small} of them under 1 MiB, whose records spread as {@code spread}. */
  private static RunResult run(long files, long small, RunResult.Spread spread) {
    return new RunResult(30_000, 30_000, 0, 0, 0, 0, files, 5_000_000, 9_000_000, 1.0, "x", "", List.of(), null, 0,
        small, List.of(), spread);
  }

  @Test
  void hint_onlyOverAHundredFilesMostlyUnder1MiB() {
    RunResult.Spread spread = new RunResult.Spread(1, 300, 300, 10_000, 0, 256, false, 0, 60);
    assertThat(run(101, 51, spread).hint()).startsWith("json2parquet: hint: 101 files, most under 1 MiB (297 records per file");
    assertThat(run(100, 100, spread).hint()).as("100 files").isNull();
    assertThat(run(101, 50, spread).hint()).as("half of them small").isNull();
  }

  @Test
  void hint_oneFilePerPair_namesTheCountsAndOnlyTheSettingsThatHelp() {
    // one partition (an hour), 4,416 keys, no file cut early: only fewer key fields make files larger
    String h = run(4_416, 4_416, new RunResult.Spread(1, 4_416, 4_416, 10_000, 0, 256, false, 0, 60)).hint();
    assertThat(h).contains("the records went to 1 partition x 4416 keys = 4416 partition-key pairs", "--key")
        .doesNotContain("--partition", "--max-open-files", "--flush-interval");
    // 24 hours x 1 key: only a coarser partition helps
    String p = run(240, 240, new RunResult.Spread(24, 1, 24, 10_000, 0, 256, false, 216, 60)).hint();
    assertThat(p).contains("24 partitions x 1 key = 24 partition-key pairs", "--partition", "216 were completed by"
        + " flush_interval (60.0 s)", "--flush-interval").doesNotContain("--key", "--max-open-files");
    // counts at the cap are lower bounds
    assertThat(run(20_000, 20_000, new RunResult.Spread(3, 10_000, 10_000, 10_000, 0, 256, false, 0, 60)).hint())
        .contains("3 partitions x at least 10000 keys = at least 10000 partition-key pairs");
  }

  @Test
  void hint_filesCutByTheOpenFileCap_saysSoAndHowManyToOpen() {
    String h = run(23_402, 23_402, new RunResult.Spread(8, 4_416, 4_416, 10_000, 18_986, 256, false, 0, 60)).hint();
    assertThat(h).contains("18986 were completed early because more than max_open_files (256) were open at once",
        "--max-open-files 4416", "8 partitions x 4416 keys = 4416 partition-key pairs").doesNotContain("--flush-interval");
    assertThat(h.lines()).hasSize(1);
    assertThat(h).doesNotContain("--s3-buffer-bytes");
    // to S3, the sink's part buffers set the cap: raising max_open_files alone would not help
    assertThat(run(23_402, 23_402, new RunResult.Spread(8, 4_416, 4_416, 10_000, 18_986, 32, true, 0, 60)).hint())
        .contains("max_open_files (32)", "--max-open-files 4416", "with a larger --s3-buffer-bytes");
  }
}
