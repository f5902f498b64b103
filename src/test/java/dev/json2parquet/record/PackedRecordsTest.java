package dev.json2parquet.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedRecordsTest {
  private final RecordType type = RecordType.log();
  private final JsonRecordReader reader = new JsonRecordReader(type);

  /** Log records of every shape the columns know: absent and null fields, lists, maps, extras, long text. */
  private List<String> lines(int n, long seed) {
    Random rnd = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder b = new StringBuilder("{\"time\":\"2024-11-24T00:00:0" + (i % 10) + ".331Z\"");
      if (rnd.nextInt(4) > 0) {
        b.append(",\"level\":\"").append(rnd.nextBoolean() ? "INFO" : "ERROR").append('"');
      }
      int len = switch (rnd.nextInt(5)) {
        case 0 -> 0;
        case 1 -> 200; // a two-byte length
        case 2 -> 20_000; // a three-byte length
        default -> rnd.nextInt(60);
      };
      b.append(",\"message\":\"").append("x\u00e9".repeat(len / 2)).append(i).append('"');
      b.append(",\"business_capability\":\"cap").append(rnd.nextInt(3)).append('"');
      if (rnd.nextBoolean()) {
        b.append(",\"audit\":").append(rnd.nextBoolean());
      }
      if (rnd.nextInt(3) == 0) {
        b.append(",\"http_response\":").append(rnd.nextInt(600));
      }
      if (rnd.nextInt(3) == 0) {
        b.append(",\"stack_trace\":null");
      }
      int tags = rnd.nextInt(4);
      if (tags > 0 || rnd.nextBoolean()) {
        b.append(",\"tags\":[");
        for (int t = 0; t < tags; t++) {
          b.append(t > 0 ? "," : "").append("\"t").append(rnd.nextInt(9)).append('"');
        }
        b.append(']');
      }
      int args = rnd.nextInt(3);
      if (args > 0) {
        b.append(",\"args\":{");
        for (int a = 0; a < args; a++) {
          b.append(a > 0 ? "," : "").append("\"k").append(a).append("\":\"v").append(rnd.nextInt(99)).append('"');
        }
        b.append('}');
      }
      if (rnd.nextInt(4) == 0) {
        b.append(",\"unknown_").append(rnd.nextInt(3)).append("\":").append(rnd.nextInt(1000));
      }
      out.add(b.append('}').toString());
    }
    return out;
  }

  private ColumnBatch parse(List<String> lines) throws RecordException {
    ColumnBatch batch = new ColumnBatch(type.schema());
    for (String line : lines) {
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      reader.append(b, 0, b.length, batch);
    }
    return batch;
  }

  /** Every column's levels and values, as text, for comparing two batches. */
  private static List<String> contents(ColumnBatch batch) {
    List<String> out = new ArrayList<>();
    out.add("records=" + batch.records());
    for (int i = 0; i < batch.schema().leafCount(); i++) {
      LeafColumn c = batch.column(i);
      out.add(i + " rep=" + Arrays.toString(Arrays.copyOf(c.rep, c.entries)) + " def="
          + Arrays.toString(Arrays.copyOf(c.def, c.entries)));
      if (c.binary) {
        out.add(i + " ends=" + Arrays.toString(Arrays.copyOf(c.ends, c.values)) + " data="
            + new String(c.data, 0, c.dataLength, StandardCharsets.UTF_8));
      } else {
        out.add(i + " longs=" + Arrays.toString(Arrays.copyOf(c.longs, c.values)));
      }
    }
    return out;
  }

  @Test
  void unpackInto_afterRunsOfAnyLength_holdsWhatCopyingTheRecordsIntoTheColumnsHolds() throws RecordException {
    ColumnBatch src = parse(lines(400, 7));
    ColumnBatch direct = new ColumnBatch(type.schema());
    ColumnBatch viaPacked = new ColumnBatch(type.schema());
    PackedRecords packed = new PackedRecords(type.schema());
    ColumnBatch.Cursor a = src.cursor();
    ColumnBatch.Cursor b = src.cursor();
    Random rnd = new Random(3);
    int done = 0;
    while (done < src.records()) {
      int n = Math.min(src.records() - done, rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(40) : 1);
      direct.appendFrom(src, a, n);
      if (rnd.nextInt(10) == 0) {
        // records copied straight into the columns between packed ones, as the buffer does for long runs
        packed.unpackInto(viaPacked);
        viaPacked.appendFrom(src, b, n);
      } else {
        packed.append(src, b, n);
        assertThat(packed.usedBytes()).isEqualTo(direct.usedBytes() - viaPacked.usedBytes());
        assertThat(packed.records()).isEqualTo(direct.records() - viaPacked.records());
      }
      done += n;
    }
    packed.unpackInto(viaPacked);

    assertThat(contents(viaPacked)).containsExactlyElementsOf(contents(direct));
    assertThat(viaPacked.usedBytes()).isEqualTo(direct.usedBytes());
    assertThat(packed.records()).isZero();
    assertThat(packed.usedBytes()).isZero();
  }

  @Test
  void append_afterUnpackInto_startsEmpty_oneRecordAtATimeAsInOneRun() throws RecordException {
    ColumnBatch src = parse(lines(50, 11));
    PackedRecords packed = new PackedRecords(type.schema());
    ColumnBatch first = new ColumnBatch(type.schema());
    packed.append(src, src.cursor(), 50);
    packed.unpackInto(first);

    ColumnBatch second = new ColumnBatch(type.schema());
    ColumnBatch.Cursor at = src.cursor();
    for (int i = 0; i < 50; i++) {
      packed.append(src, at, 1);
    }
    packed.unpackInto(second);

    assertThat(contents(second)).containsExactlyElementsOf(contents(first));
    assertThat(contents(first)).containsExactlyElementsOf(contents(src));
  }
}
