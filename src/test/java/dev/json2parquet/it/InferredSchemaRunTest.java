package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic runs without --schema: inference across inputs, optional fields, map-shaped objects, dropped fields. */
class InferredSchemaRunTest {
  @TempDir
  Path dir;

  private Path file(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  private List<Map<String, Object>> query(String select, Path out) throws Exception {
    try (DuckDb db = new DuckDb()) {
      return db.query(select.replace("FILES", "read_parquet('" + out + "/**/*.parquet')"));
    }
  }

  @Test
  void convert_emptyFirstInput_infersFromTheNextOne() throws Exception {
    Path empty = file("empty.jsonl", "");
    Path blank = file("blank.jsonl", "\n   \n\t\n");
    Path data = file("data.jsonl", "{\"id\":1}\n{\"id\":2}\n");
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic",
        empty.toString(), blank.toString(), data.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("inferred one from the first 2 records of " + data,
        "2 records read, 2 written", "0 dead-lettered");
    assertThat(query("SELECT id FROM FILES ORDER BY id", out)).extracting(r -> r.get("id")).containsExactly(1L, 2L);
  }

  @Test
  void convert_sampleSpanningInputs_readsThemInOrder() throws Exception {
    Path first = file("a.jsonl", "not json\n{\"id\":1}\n");
    Path second = file("b.jsonl", "{\"id\":2,\"name\":\"x\"}\n");
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--partition", "",
        first.toString(), second.toString());

    assertThat(run.exit()).as(run.err()).isEqualTo(3);
    assertThat(run.err()).contains("inferred one from the first 2 records of " + first + ", " + second,
        "3 records read, 2 written", "1 dead-lettered");
    assertThat(query("SELECT id, name FROM FILES ORDER BY id", out).toString())
        .isEqualTo("[{id=1, name=null}, {id=2, name=x}]");
  }

  @Test
  void convert_gzipInputsReadToTheirEndWhileSampling_areReplayedWhole() throws Exception {
    List<String> names = new java.util.ArrayList<>(List.of("convert", "-o", dir.resolve("out").toString(),
        "--record-type", "dynamic", "--partition", ""));
    for (int i = 1; i <= 3; i++) {
      Path gz = dir.resolve("in" + i + ".jsonl.gz");
      try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
        out.write(("{\"id\":" + i + ",\"f" + i + "\":" + i + "}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      names.add(gz.toString());
    }

    Cli.Result run = Cli.run(names.toArray(String[]::new));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("inferred one from the first 3 records of", "3 records read, 3 written");
    assertThat(query("SELECT id, f1, f2, f3 FROM FILES ORDER BY id", dir.resolve("out")).toString())
        .isEqualTo("[{id=1, f1=1, f2=null, f3=null}, {id=2, f1=null, f2=2, f3=null}, {id=3, f1=null, f2=null, f3=3}]");
  }

  @Test
  void convert_onlyBlankInputs_writesNothingAndSucceeds() throws Exception {
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic",
        file("empty.jsonl", "").toString(), file("blank.jsonl", " \n\n").toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("0 records read, 0 written");
    assertThat(Files.exists(out) ? DuckDb.parquetFiles(out) : List.of()).isEmpty();
  }

  @Test
  void convert_linesButNoRecord_saysSoAndWritesNothing() throws Exception {
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic",
        file("a.jsonl", "").toString(), file("b.jsonl", "[1]\nnot json\n").toString());

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("Cannot infer a schema: none of the first 2 non-blank lines of the input is a"
        + " JSON object; give a schema with --schema");
    assertThat(Files.exists(out) ? DuckDb.parquetFiles(out) : List.of()).isEmpty();
  }

  @Test
  void convert_fieldAbsentAfterTheSample_isWrittenAsNull() throws Exception {
    Path in = file("in.jsonl", "{\"id\":1,\"a\":\"x\"}\n{\"id\":2,\"a\":\"y\"}\n{\"id\":3}\n{\"a\":\"z\"}\n");
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--sample", "2", in.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Files.readString(out.resolve("_schema.json"))).doesNotContain("\"required\"");
    assertThat(query("SELECT id, a FROM FILES ORDER BY id NULLS LAST", out).toString())
        .isEqualTo("[{id=1, a=x}, {id=2, a=y}, {id=3, a=null}, {id=null, a=z}]");
  }

  @Test
  void convert_objectWithIdsAsKeys_isInferredAsAMap() throws Exception {
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < 1500; i++) {
      in.append("{\"id\":").append(i).append(",\"counts\":{\"user").append(i).append("\":").append(i * 2)
          .append(",\"all\":1}}\n");
    }
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--partition", "",
        file("in.jsonl", in.toString()).toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Files.readString(out.resolve("_schema.json"))).contains("\"additionalProperties\"");
    List<Map<String, Object>> rows = query("SELECT id, counts['user1234'] AS u, cardinality(counts) AS n,"
        + " typeof(counts) AS t FROM FILES WHERE id IN (7, 1234) ORDER BY id", out);
    assertThat(rows).extracting(r -> r.get("t")).containsOnly("MAP(VARCHAR, BIGINT)");
    assertThat(rows).extracting(r -> ((Number) r.get("n")).intValue()).containsExactly(2, 2);
    assertThat(rows.get(1).get("u").toString()).contains("2468");
  }

  @Test
  void convert_unknownFieldsDropped_countsThemInTheSummary() throws Exception {
    Path schema = file("schema.json", "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}");
    Path in = file("in.jsonl", "{\"id\":1,\"x\":1,\"y\":{\"z\":2}}\n{\"id\":2,\"x\":3}\n{\"id\":\"bad\",\"x\":4}\n");
    Path out = dir.resolve("out");

    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--schema", schema.toString(),
        "--unknown-fields", "drop", in.toString());

    assertThat(run.exit()).as(run.err()).isEqualTo(3);
    assertThat(run.err()).contains("3 records read, 2 written", "1 dead-lettered",
        "3 fields dropped (not in the schema)");
  }
}
