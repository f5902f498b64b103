package dev.json2parquet.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helpers for comparing what two ways of reading the same lines put into the columns. */
final class ReadColumns {
  private ReadColumns() {}

  /** Appends one line to {@code batch}: "record", or "rejected: " and the reason. */
  static String outcome(JsonRecordReader reader, byte[] b, int off, int len, ColumnBatch batch) {
    try {
      reader.append(b, off, len, batch);
      return "record";
    } catch (RecordException e) {
      return "rejected: " + e.getMessage();
    }
  }

  /**
   * Reads {@code lines} laid end to end in one array, as one region (as the parser threads read a
   * chunk), into {@code batch}; the outcome of each line, in order.
   */
  static List<String> readAsOneRegion(JsonRecordReader reader, List<byte[]> lines, ColumnBatch batch) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    int[] start = new int[lines.size()];
    for (int i = 0; i < lines.size(); i++) {
      start[i] = all.size();
      all.writeBytes(lines.get(i));
    }
    byte[] data = all.toByteArray();
    List<String> outcomes = new ArrayList<>();
    reader.beginRegion(data, data.length);
    for (int i = 0; i < lines.size(); i++) {
      outcomes.add(outcome(reader, data, start[i], lines.get(i).length, batch));
    }
    reader.endRegion();
    return outcomes;
  }

  /** The same records, levels and values in every leaf column of {@code type}. */
  static void assertSameColumns(RecordType type, ColumnBatch actual, ColumnBatch expected) {
    assertThat(actual.records()).isEqualTo(expected.records());
    for (int leaf = 0; leaf < type.schema().leaves().size(); leaf++) {
      LeafColumn a = actual.column(leaf);
      LeafColumn e = expected.column(leaf);
      assertThat(a.entries()).as("entries of leaf %d", leaf).isEqualTo(e.entries());
      assertThat(Arrays.copyOf(a.repetitions(), a.entries())).as("repetitions of leaf %d", leaf)
          .isEqualTo(Arrays.copyOf(e.repetitions(), e.entries()));
      assertThat(Arrays.copyOf(a.definitions(), a.entries())).as("definitions of leaf %d", leaf)
          .isEqualTo(Arrays.copyOf(e.definitions(), e.entries()));
      assertThat(a.values).as("values of leaf %d", leaf).isEqualTo(e.values);
      if (a.isBinary()) {
        assertThat(Arrays.copyOf(a.ends(), a.values)).as("ends of leaf %d", leaf)
            .isEqualTo(Arrays.copyOf(e.ends(), e.values));
        assertThat(Arrays.copyOf(a.data(), a.dataLength)).as("bytes of leaf %d", leaf)
            .isEqualTo(Arrays.copyOf(e.data(), e.dataLength));
      } else {
        assertThat(Arrays.copyOf(a.longs(), a.values)).as("longs of leaf %d", leaf)
            .isEqualTo(Arrays.copyOf(e.longs(), e.values));
      }
    }
  }
}
