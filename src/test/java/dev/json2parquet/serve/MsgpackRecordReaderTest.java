package dev.json2parquet.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.json2parquet.generate.LogGenerator;
import dev.json2parquet.record.ColumnBatch;
import dev.json2parquet.record.JsonRecordReader;
import dev.json2parquet.record.LeafColumn;
import dev.json2parquet.record.RecordException;
import dev.json2parquet.record.RecordType;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * The forward path's two readers against each other on the same records: each record read straight
 * from msgpack ({@link dev.json2parquet.record.MsgpackRecordReader}, through the pipeline's
 * {@code RecordInput.appendTo}) must give exactly the columns that its JSON line gives through
 * {@link JsonRecordReader}, and every record the JSON reader rejects (or that cannot become JSON)
 * must be declined by the msgpack reader, so the dead-letter decision and reason stay the JSON
 * path's.
 */
class MsgpackRecordReaderTest {
  private static final Set<String> TIME_NAMES = Set.of("time", "timestamp", "when");

  /** A msgpack str whose bytes are given as they are (not necessarily UTF-8). */
  record RawStr(byte[] bytes) { }

  /** A msgpack ext value. */
  record Ext(int type, byte[] bytes) { }

  /** A float32. */
  record F32(float value) { }

  private static void pack(MessageBufferPacker p, Object v) throws Exception {
    if (v == null) {
      p.packNil();
    } else if (v instanceof String s) {
      p.packString(s);
    } else if (v instanceof RawStr s) {
      p.packRawStringHeader(s.bytes().length).writePayload(s.bytes());
    } else if (v instanceof byte[] b) {
      p.packBinaryHeader(b.length).writePayload(b);
    } else if (v instanceof Ext e) {
      p.packExtensionTypeHeader((byte) e.type(), e.bytes().length).writePayload(e.bytes());
    } else if (v instanceof BigInteger b) {
      p.packBigInteger(b);
    } else if (v instanceof F32 f) {
      p.packFloat(f.value());
    } else if (v instanceof Double d) {
      p.packDouble(d);
    } else if (v instanceof Number n) {
      p.packLong(n.longValue());
    } else if (v instanceof Boolean b) {
      p.packBoolean(b);
    } else if (v instanceof List<?> l) {
      p.packArrayHeader(l.size());
      for (Object o : l) {
        pack(p, o);
      }
    } else if (v instanceof Map<?, ?> m) {
      p.packMapHeader(m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        pack(p, e.getKey());
        pack(p, e.getValue());
      }
    } else {
      throw new IllegalArgumentException(v.getClass().toString());
    }
  }

  /** A map keeping insertion order, from key, value, key, value, ... (keys may repeat: a list of pairs). */
  static Map<Object, Object> m(Object... kv) {
    Map<Object, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  /** A Forward message {@code [tag, [[time, record], ...]]}, times alternating integer and EventTime (with metadata). */
  private static byte[] forward(String tag, List<Object> records) throws Exception {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(2).packString(tag).packArrayHeader(records.size());
    for (int i = 0; i < records.size(); i++) {
      p.packArrayHeader(2);
      if (i % 2 == 0) {
        p.packLong(1_732_406_400L + i);
      } else {
        p.packArrayHeader(2);
        p.packExtensionTypeHeader((byte) 0, 8);
        p.writePayload(java.nio.ByteBuffer.allocate(8).putInt((int) (1_732_406_400L + i)).putInt(123_456_789).array());
        p.packMapHeader(0);
      }
      pack(p, records.get(i));
    }
    return p.toByteArray();
  }

  private static List<ForwardEvents.ForwardRecord> events(ForwardEvents fe, byte[] frame) throws Exception {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(frame)) {
      int size = u.unpackArrayHeader();
      String tag = u.unpackString();
      return fe.events(frame, u, size, tag).records();
    }
  }

  /** Every value of every column, rendered (repetition, definition, value). */
  private static List<String> dump(ColumnBatch b) {
    List<String> out = new ArrayList<>();
    for (int c = 0; c < b.schema().leafCount(); c++) {
      LeafColumn col = b.column(c);
      StringBuilder sb = new StringBuilder("col " + c + ":");
      int v = 0;
      for (int e = 0; e < col.entries(); e++) {
        sb.append(" [").append(col.repetition(e)).append(',').append(col.definition(e));
        if (col.definition(e) == col.maxDefinition()) {
          if (col.isBinary()) {
            sb.append(",\"").append(Arrays.toString(Arrays.copyOfRange(col.data(), col.start(v), col.end(v)))).append('"');
          } else {
            sb.append(',').append(col.longs()[v]);
          }
          v++;
        }
        sb.append(']');
      }
      out.add(sb.toString());
    }
    out.add("records " + b.records());
    return out;
  }

  /** Outcome of both paths on every record of {@code frame}; returns how many the msgpack reader took. */
  private static int compare(RecordType type, String tagField, byte[] frame, List<String> decisions) throws Exception {
    ForwardEvents fe = new ForwardEvents(tagField, TIME_NAMES, 1 << 20, type);
    JsonRecordReader json = new JsonRecordReader(type);
    ColumnBatch viaJson = new ColumnBatch(type.schema());
    ColumnBatch viaMsgpack = new ColumnBatch(type.schema());
    int direct = 0;
    for (ForwardEvents.ForwardRecord r : events(fe, frame)) {
      String jsonOutcome;
      try {
        byte[] line = r.json();
        json.append(line, 0, line.length, viaJson);
        jsonOutcome = "record";
      } catch (RecordException e) {
        jsonOutcome = "rejected: " + e.getMessage();
      }
      String msgpackOutcome;
      if (r.appendTo(viaMsgpack)) {
        direct++;
        msgpackOutcome = "record";
        assertThat(jsonOutcome).as("a record the msgpack reader took").isEqualTo("record");
      } else {
        // the JSON way, as the pipeline does
        try {
          byte[] line = r.json();
          json.append(line, 0, line.length, viaMsgpack);
          msgpackOutcome = "record";
        } catch (RecordException e) {
          msgpackOutcome = "rejected: " + e.getMessage();
        }
      }
      assertThat(msgpackOutcome).isEqualTo(jsonOutcome);
      decisions.add(jsonOutcome);
      if (decisions.size() < 100) { // each record's columns at once (the whole batch is compared at the end)
        assertThat(dump(viaMsgpack)).as("after record " + decisions.size()).isEqualTo(dump(viaJson));
      }
    }
    assertThat(dump(viaMsgpack)).isEqualTo(dump(viaJson));
    return direct;
  }

  @Test
  void generatedLogRecords_readFromMsgpack_equalTheirJsonLines() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    new LogGenerator(new LogGenerator.Options(2000, 17, 20, 0, Instant.parse("2024-11-24T00:00:00Z"))).write(b);
    ObjectMapper om = new ObjectMapper();
    List<Object> records = new ArrayList<>();
    for (String l : b.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!l.isBlank()) {
        records.add(om.readValue(l, LinkedHashMap.class));
      }
    }
    List<String> decisions = new ArrayList<>();
    int direct = compare(RecordType.log(), "args.tag", forward("app.web", records), decisions);
    assertThat(decisions).hasSize(records.size()).containsOnly("record");
    assertThat(direct).isEqualTo(records.size());
  }

  private static List<Object> edgeCases() {
    Object nested = "leaf";
    for (int i = 0; i < 70; i++) {
      nested = List.of(nested);
    }
    return Arrays.asList(
        // EventTime / integer times, time present, alias timestamp, absent
        m("message", "plain"),
        m("time", "2024-01-01T00:00:00Z", "message", "has time"),
        m("timestamp", "2024-01-01T00:00:00Z", "message", "alias time"),
        // aliases log/msg -> message; both: the second is unknown (extra_fields)
        m("log", "from log"),
        m("msg", "from msg", "lvl", "WARN"),
        m("message", "first", "log", "second"),
        // nested maps and arrays in string columns and in extra_fields
        m("message", m("a", 1, "b", Arrays.asList(true, null, 2.5)), "kubernetes", m("pod", "p-1", "labels", m("app", "x"))),
        m("message", List.of("x", m("y", "z"))),
        // bin / str / ext
        m("message", new byte[] {0, 1, 2, (byte) 0xFF}, "user_id", new Ext(5, new byte[] {9, 8, 7})),
        m("message", "quote \" backslash \\ newline \n tab \t nul \u0000 é 😀 \u2028"),
        m("message", new RawStr(new byte[] {'b', 'a', (byte) 0xC3, 0x28})),
        m("message", "ok", "extra", m("bad", new RawStr(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))),
        // integers beyond 2^53 and uint64, negative, in string columns and extras
        m("message", 9_007_199_254_740_993L, "user_id", new BigInteger("18446744073709551615"), "n", -42L,
            "big", Long.MIN_VALUE),
        // floats
        m("message", 0.1, "d1", 1e300, "d2", -0.0, "d3", 1.0, "d4", new F32(0.1f), "d5", 123456789.123456789,
            "d6", 5e-324),
        m("message", Double.NaN, "d", Double.POSITIVE_INFINITY, "e", Double.NEGATIVE_INFINITY),
        // nulls
        m("message", null, "level", null, "tags", Arrays.asList("a", null), "args", m("k", null), "extra_fields", null),
        m("message", "x", "audit", null, "trace_ip", null),
        // tag field: args absent / present with and without tag / not a map
        m("message", "x", "args", m("tag", "own tag", "k", "v")),
        m("message", "x", "args", m("k", "v", "n", 5)),
        m("message", "x", "args", m()),
        m("message", "x", "args", "not a map"),
        m("message", "x", "args", List.of("a")),
        // booleans
        m("message", "x", "audit", true, "auto_index", false),
        m("message", "x", "audit", "yes"),
        m("message", "x", "audit", 1),
        // lists
        m("message", "x", "tags", List.of("a", 1, true, m("x", 1), List.of(2), 1.5)),
        m("message", "x", "tags", List.of()),
        m("message", "x", "tags", "not a list"),
        m("message", "x", "trace_ip", List.of("10.0.0.1", "10.0.0.2")),
        // extra_fields given, with unknown top-level fields after it; duplicates are rejected
        m("message", "x", "extra_fields", m("a", "b", "c", 1, "d", m("e", "f")), "z", "after"),
        m("message", "x", "extra_fields", m("z", 1), "z", "dup"),
        m("message", "x", "level", "INFO", "extra_fields", m("level", "again")),
        m("message", "x", "extra_fields", "not a map"),
        m("message", "x", "extra_fields", m()),
        m("message", "x", "extra_fields", m("a", "1"), "extra_fields", m("b", "2")),
        // keys: non-text, binary, not UTF-8
        m(1, "one", "message", "int key"),
        m(new byte[] {'k', 'b'}, "bin key", "message", "x"),
        m(new RawStr(new byte[] {(byte) 0xC3, 0x28}), "bad key"),
        m("message", m(new RawStr(new byte[] {(byte) 0xFF}), "bad nested key")),
        // not a map; nested too deep
        "a string record",
        List.of(1, 2),
        m("message", "deep", "n", nested),
        // the tag's own field name given by the record (tag_field tag)
        m("message", "x", "tag", "own"));
  }

  @Test
  void edgeCases_logRecord_sameColumnsAndSameDecisions() throws Exception {
    List<Object> cases = edgeCases();
    for (String tagField : List.of("args.tag", "tag", "", "message")) {
      List<String> decisions = new ArrayList<>();
      int direct = compare(RecordType.log(), tagField, forward("app.edge", cases), decisions);
      assertThat(decisions).as("tag field " + tagField).hasSize(cases.size());
      // the rejections are the JSON path's own; the msgpack reader took most of the rest
      assertThat(decisions.stream().filter(d -> d.startsWith("rejected")).count()).as(decisions.toString())
          .isGreaterThanOrEqualTo(10);
      assertThat(direct).as("tag field " + tagField).isGreaterThanOrEqualTo(tagField.equals("message") ? 1 : 20);
    }
  }

  @Test
  void dynamicRecordTypes_areLeftToTheJsonPath() throws Exception {
    RecordType dynamic = RecordType.dynamic(new dev.json2parquet.record.RecordSchema("R", List.of(
        dev.json2parquet.record.Field.primitive("n", dev.json2parquet.record.FieldType.INT64, false),
        dev.json2parquet.record.Field.primitive("message", dev.json2parquet.record.FieldType.STRING, false))),
        dev.json2parquet.record.UnknownFields.EXTRA);
    List<String> decisions = new ArrayList<>();
    int direct = compare(dynamic, "tag", forward("t", List.of(m("n", 5, "message", "x"), m("n", "x"),
        m("n", new BigInteger("18446744073709551615")))), decisions);
    assertThat(direct).isZero();
    assertThat(decisions).containsExactly("record", decisions.get(1), decisions.get(2));
    assertThat(decisions.get(1)).startsWith("rejected");
  }
}
