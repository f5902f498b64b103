package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;
import org.msgpack.value.Value;

/** serve's forward-protocol listener, with our own client from the spec and with Fluency; DuckDB reads the files. */
class ServeForwardTest {
  @TempDir
  Path dir;

  private static Map<String, Object> rec(String id) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("log", "line " + id);
    r.put("level", "INFO");
    r.put("message_id", id);
    r.put("business_capability", "c");
    r.put("business_domain", "d");
    r.put("business_service", "s");
    r.put("application_service", "a");
    return r;
  }

  private static List<Map<String, Object>> recs(String prefix, int n) {
    List<Map<String, Object>> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(rec(prefix + i));
    }
    return l;
  }

  /** message_id to the row DuckDB reads. */
  private static Map<String, JsonNode> rows(Path out) throws Exception {
    Map<String, JsonNode> m = new TreeMap<>();
    try (DuckDb duck = new DuckDb()) {
      for (Path f : DuckDb.parquetFiles(out)) {
        for (JsonNode r : duck.rows(f)) {
          assertThat(m.put(r.get("message_id").asText(), r)).as("duplicate " + r.get("message_id")).isNull();
        }
      }
    }
    return m;
  }

  @Test
  void allModes_ackedAfterBuffering_retriedChunkNotBufferedTwice_splitAtEveryByte() throws Exception {
    Path out = dir.resolve("out");
    Instant t = Instant.parse("2024-11-24T01:02:03.123456789Z");
    try (Served s = Served.start(out, Map.of())) {
      int port = s.server.forwardPort();
      try (ForwardClient c = new ForwardClient(port)) {
        c.send(ForwardClient.message("app.m", 1732410123L, rec("m0"), "chunk-m"));
        assertThat(c.ack()).isEqualTo("chunk-m");
        c.send(new byte[] {(byte) 0xC0}); // heartbeat
        c.send(ForwardClient.forward("app.f", recs("f", 50), t, "chunk-f", false));
        assertThat(c.ack()).isEqualTo("chunk-f");
        c.send(ForwardClient.forward("app.meta", recs("meta", 5), t, "chunk-meta", true));
        assertThat(c.ack()).isEqualTo("chunk-meta");
        c.send(ForwardClient.packed("app.p", recs("p", 100), t, "chunk-p", false));
        assertThat(c.ack()).isEqualTo("chunk-p");
        c.send(ForwardClient.packed("app.z", recs("z", 100), t, "chunk-z", true));
        assertThat(c.ack()).isEqualTo("chunk-z");
        // a retry of an acknowledged chunk: acknowledged again, not buffered again
        c.send(ForwardClient.packed("app.z", recs("z", 100), t, "chunk-z", true));
        assertThat(c.ack()).isEqualTo("chunk-z");
        // without chunk: no ack, connection stays open
        c.send(ForwardClient.forward("app.n", recs("n", 3), t, null, false));
        // one message split at every byte
        byte[] msg = ForwardClient.packed("app.s", recs("s", 20), t, "chunk-s", false);
        for (byte b : msg) {
          c.send(new byte[] {b});
        }
        assertThat(c.ack()).isEqualTo("chunk-s");
      }
      s.stop();
    }
    Map<String, JsonNode> rows = rows(out);
    assertThat(rows).hasSize(1 + 50 + 5 + 100 + 100 + 3 + 20);
    JsonNode m0 = rows.get("m0");
    assertThat(m0.get("message").asText()).isEqualTo("line m0");
    assertThat(m0.get("time").asText()).isEqualTo("2024-11-24T01:02:03Z");
    assertThat(m0.get("args").get("tag").asText()).isEqualTo("app.m");
    assertThat(rows.get("z7").get("time").asText()).isEqualTo("2024-11-24T01:02:03.123456789Z");
    assertThat(rows.get("z7").get("args").get("tag").asText()).isEqualTo("app.z");
    assertThat(rows.get("meta4").get("args").get("tag").asText()).isEqualTo("app.meta");
  }

  @Test
  void badMsgpack_closesOnlyThatConnection() throws Exception {
    Path out = dir.resolve("out");
    try (Served s = Served.start(out, Map.of())) {
      int port = s.server.forwardPort();
      try (ForwardClient good = new ForwardClient(port); ForwardClient bad = new ForwardClient(port)) {
        good.send(ForwardClient.forward("t", recs("a", 2), Instant.now(), "c1", false));
        assertThat(good.ack()).isEqualTo("c1");
        bad.send(new byte[] {(byte) 0x93, (byte) 0xC1, 0x01, 0x02}); // 0xC1 is never used in msgpack
        assertThatThrownBy(bad::read) // closed by the server: end of stream
            .isInstanceOfAny(IOException.class, org.msgpack.core.MessageInsufficientBufferException.class);
        good.send(ForwardClient.forward("t", recs("b", 2), Instant.now(), "c2", false));
        assertThat(good.ack()).isEqualTo("c2");
      }
      s.stop();
    }
    assertThat(rows(out)).containsOnlyKeys("a0", "a1", "b0", "b1");
  }

  @Test
  void sharedKey_handshake_rightKeyAccepted_wrongKeyRefused() throws Exception {
    Path out = dir.resolve("out");
    try (Served s = Served.start(out, Map.of("forward_shared_key", "k3y"))) {
      int port = s.server.forwardPort();
      try (ForwardClient c = new ForwardClient(port)) {
        List<Value> pong = c.handshake("k3y").asArrayValue().list();
        assertThat(pong.get(0).asStringValue().asString()).isEqualTo("PONG");
        assertThat(pong.get(1).asBooleanValue().getBoolean()).isTrue();
        c.send(ForwardClient.packed("t", recs("h", 3), Instant.now(), "c-h", true));
        assertThat(c.ack()).isEqualTo("c-h");
      }
      try (ForwardClient c = new ForwardClient(port)) {
        List<Value> pong = c.handshake("wrong").asArrayValue().list();
        assertThat(pong.get(1).asBooleanValue().getBoolean()).isFalse();
        assertThat(pong.get(2).asStringValue().asString()).contains("shared_key");
        assertThatThrownBy(c::read) // closed by the server: end of stream
            .isInstanceOfAny(IOException.class, org.msgpack.core.MessageInsufficientBufferException.class);
      }
      try (ForwardClient c = new ForwardClient(port)) {
        c.read(); // HELO
        c.send(ForwardClient.forward("t", recs("x", 1), Instant.now(), "c-x", false)); // no PING
        List<Value> pong = c.read().asArrayValue().list();
        assertThat(pong.get(1).asBooleanValue().getBoolean()).isFalse();
      }
      s.stop();
    }
    assertThat(rows(out)).containsOnlyKeys("h0", "h1", "h2");
  }

  @Test
  void usersFile_handshake_rightUserAccepted_wrongPasswordOrUnknownUserOrNoUserRefused() throws Exception {
    Path out = dir.resolve("out");
    Path users = dir.resolve("users");
    java.nio.file.Files.writeString(users, "# forward users\nalice:s3cret:with:colons\nbob:hunter2\n");
    try (Served s = Served.start(out, Map.of("forward_shared_key", "k3y", "forward_users_file", users.toString()))) {
      int port = s.server.forwardPort();
      try (ForwardClient c = new ForwardClient(port)) {
        List<Value> pong = c.handshake("k3y", "alice", "s3cret:with:colons").asArrayValue().list();
        assertThat(pong.get(1).asBooleanValue().getBoolean()).as(pong.toString()).isTrue();
        c.send(ForwardClient.packed("t", recs("u", 2), Instant.now(), "c-u", true));
        assertThat(c.ack()).isEqualTo("c-u");
      }
      for (String[] wrong : new String[][] {{"alice", "hunter2"}, {"carol", "s3cret:with:colons"}, {"", null},
          {"bob", null}}) {
        try (ForwardClient c = new ForwardClient(port)) {
          List<Value> pong = c.handshake("k3y", wrong[0], wrong[1]).asArrayValue().list();
          assertThat(pong.get(1).asBooleanValue().getBoolean()).as(String.join("/", wrong[0], "" + wrong[1])).isFalse();
          assertThat(pong.get(2).asStringValue().asString()).contains("username/password");
          assertThatThrownBy(c::read) // closed by the server: end of stream
              .isInstanceOfAny(IOException.class, org.msgpack.core.MessageInsufficientBufferException.class);
        }
      }
      s.stop();
    }
    assertThat(rows(out)).containsOnlyKeys("u0", "u1");
  }

  @Test
  void usersFile_withoutSharedKey_isAConfigError() {
    assertThatThrownBy(() -> Served.start(dir.resolve("out"), Map.of("forward_users_file", dir.resolve("u").toString())))
        .isInstanceOf(dev.json2parquet.config.ConfigException.class).hasMessageContaining("forward_shared_key");
  }

  @Test
  void fluency_ackMode_everyEventWritten() throws Exception {
    Path out = dir.resolve("out");
    int n = 5000;
    try (Served s = Served.start(out, Map.of())) {
      FluencyBuilderForFluentd b = new FluencyBuilderForFluentd();
      b.setAckResponseMode(true);
      b.setFlushAttemptIntervalMillis(100);
      try (Fluency fluency = b.build("127.0.0.1", s.server.forwardPort())) {
        for (int i = 0; i < n; i++) {
          Map<String, Object> r = new LinkedHashMap<>(rec("fl" + i));
          fluency.emit("app.fluency", r);
        }
        fluency.flush();
        fluency.waitUntilAllBufferFlushed(20);
      }
      s.stop();
    }
    Map<String, JsonNode> rows = rows(out);
    assertThat(rows).hasSize(n);
    assertThat(rows.get("fl42").get("args").get("tag").asText()).isEqualTo("app.fluency");
    assertThat(rows.get("fl42").get("message").asText()).isEqualTo("line fl42");
  }
}
