package dev.json2parquet.record;

import static dev.json2parquet.record.ReadColumns.assertSameColumns;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs of records appended from a staging batch give the same columns however the runs are cut. */
class ColumnBatchTest {
  private static final RecordType LOG = RecordType.log();

  private static final String[] LINES = {
      "{\"message\":\"a\",\"tags\":[\"x\",\"y\"],\"args\":{\"k\":\"v\",\"j\":\"w\"}}",
      "{\"message\":\"b\",\"tags\":[],\"trace_ip\":[\"10.0.0.1\"]}",
      "{\"level\":\"INFO\",\"audit\":true,\"extra_fields\":{\"e\":\"1\"}}",
      "{\"message\":\"d\",\"tags\":[\"z\"],\"args\":{}}",
      "{\"message\":\"e\",\"args\":{\"k\":\"v\"},\"tags\":[\"p\",\"q\",\"r\"]}",
  };

  /** Runs go to two batches in turn, as runs of two keys go to the buffer: each gets exactly its records. */
  @Test
  void appendFrom_inRunsOfAnyLength_givesEachBatchItsRecords() throws RecordException {
    JsonRecordReader reader = new JsonRecordReader(LOG);
    ColumnBatch staged = new ColumnBatch(LOG.schema());
    for (String line : LINES) {
      read(reader, line, staged);
    }
    for (int[] runs : new int[][] {{5}, {1, 4}, {2, 2, 1}, {4, 1}, {1, 1, 1, 1, 1}, {3, 2}}) {
      ColumnBatch[] targets = {new ColumnBatch(LOG.schema()), new ColumnBatch(LOG.schema())};
      ColumnBatch[] expected = {new ColumnBatch(LOG.schema()), new ColumnBatch(LOG.schema())};
      for (int t = 0; t < 2; t++) {
        // batches already holding records: the runs go after them
        targets[t].append(staged);
        expected[t].append(staged);
      }
      ColumnBatch.Cursor at = staged.cursor();
      int line = 0;
      for (int r = 0; r < runs.length; r++) {
        targets[r % 2].appendFrom(staged, at, runs[r]);
        for (int k = 0; k < runs[r]; k++) {
          read(reader, LINES[line++], expected[r % 2]);
        }
      }
      for (int t = 0; t < 2; t++) {
        assertThat(targets[t].records()).isEqualTo(expected[t].records());
        assertSameColumns(LOG, targets[t], expected[t]);
      }
    }
  }

  private static void read(JsonRecordReader reader, String line, ColumnBatch batch) throws RecordException {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    reader.append(b, 0, b.length, batch);
  }
}
