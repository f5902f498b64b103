package dev.json2parquet.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** DuckDB as the independent Parquet reader of the tests. */
final class DuckDb implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Connection conn;

  DuckDb() throws SQLException {
    conn = DriverManager.getConnection("jdbc:duckdb:");
  }

  /** Every .parquet file under {@code dir}, sorted. */
  static List<Path> parquetFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /**
   * {@code message_id} of every record in the Parquet files under {@code out}, in no particular
   * order (empty when there are none).
   */
  static List<String> messageIds(Path out) throws Exception {
    List<String> found = new ArrayList<>();
    if (parquetFiles(out).isEmpty()) {
      return found;
    }
    try (DuckDb duck = new DuckDb()) {
      for (Map<String, Object> r : duck.query("SELECT message_id FROM read_parquet('" + out
          + "/**/*.parquet', hive_partitioning = false)")) {
        found.add((String) r.get("message_id"));
      }
    }
    return found;
  }

  /** Each row of one file as a JSON object (lists as arrays, maps as objects), with its file. */
  List<JsonNode> rows(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (Statement s = conn.createStatement();
        ResultSet r = s.executeQuery("SELECT to_json(t)::VARCHAR FROM read_parquet('" + file + "', hive_partitioning = false) t")) {
      while (r.next()) {
        out.add(JSON.readTree(r.getString(1)));
      }
    }
    return out;
  }

  List<Map<String, Object>> query(String sql) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery(sql)) {
      ResultSetMetaData md = r.getMetaData();
      while (r.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.put(md.getColumnName(i), r.getObject(i));
        }
        out.add(row);
      }
    }
    return out;
  }

  @Override
  public void close() throws SQLException {
    conn.close();
  }
}
