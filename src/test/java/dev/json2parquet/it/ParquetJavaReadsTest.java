package dev.json2parquet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.json2parquet.Version;
import dev.json2parquet.parquet.ParquetSchemas;
import dev.json2parquet.record.JsonSchemas;
import dev.json2parquet.record.RecordType;
import dev.json2parquet.record.UnknownFields;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.internal.column.columnindex.ColumnIndex;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our own file writer (page headers, page index, footer in Thrift's compact protocol) read by a
 * second independent reader, parquet-java's: the footer's schema, metadata and per-chunk
 * statistics, encodings and offsets, every offset index entry against the page header found there,
 * the column index, and every record assembled from all pages, in the order DuckDB reads them.
 */
class ParquetJavaReadsTest {
  @TempDir
  Path dir;

  @Test
  void convert_logRecords_readByParquetJava() throws Exception {
    Path in = dir.resolve("in.jsonl");
    assertThat(Cli.run("generate", "--count", "3e4", "--seed", "21", "-o", in.toString()).exit()).isZero();
    Path out = dir.resolve("out");
    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--key", "", "--partition", "",
        "--row-group-size", "2MiB", "--page-size", "16KiB", in.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    Path file = DuckDb.parquetFiles(out).get(0);

    List<String> ids = readAndCheck(file, ParquetSchemas.toMessageType(RecordType.log().schema()),
        CompressionCodecName.SNAPPY, "message_id");
    try (DuckDb duck = new DuckDb()) {
      List<String> expected = new ArrayList<>();
      for (Map<String, Object> row : duck.query("SELECT message_id FROM read_parquet('" + file
          + "', file_row_number = true) ORDER BY file_row_number")) {
        expected.add((String) row.get("message_id"));
      }
      assertThat(ids).hasSize(30_000).isEqualTo(expected);
    }
  }

  @Test
  void convert_dynamicNestedRecords_readByParquetJava() throws Exception {
    Path schemaFile = dir.resolve("schema.json");
    Files.writeString(schemaFile, """
        {"type": "object", "required": ["id"], "properties": {
          "id": {"type": "integer"},
          "name": {"type": "string"},
          "ok": {"type": "boolean"},
          "ratio": {"type": "number"},
          "day": {"type": "string", "format": "date"},
          "at": {"type": "string", "format": "date-time"},
          "tags": {"type": "array", "items": {"type": "string"}},
          "attrs": {"type": "object", "additionalProperties": {"type": "string"}},
          "geo": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}}
        }}""");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      lines.append("{\"id\":").append(i).append(",\"name\":\"n").append(i % 7).append('"');
      if (i % 3 != 0) {
        lines.append(",\"ok\":").append(i % 2 == 0).append(",\"ratio\":").append(i / 8.0);
      }
      lines.append(",\"day\":\"2024-01-").append(String.format("%02d", 1 + i % 28)).append('"')
          .append(",\"at\":\"2024-05-06T07:08:09.").append(String.format("%03d", i % 1000)).append("Z\"");
      lines.append(",\"tags\":[").append(i % 4 == 0 ? "" : "\"a\",\"b" + i % 5 + "\"").append(']');
      if (i % 5 != 0) {
        lines.append(",\"attrs\":{\"k").append(i % 3).append("\":\"v").append(i).append("\"}");
      }
      if (i % 2 == 0) {
        lines.append(",\"geo\":{\"lat\":").append(i % 90).append(".5,\"lon\":-").append(i % 180).append('}');
      }
      lines.append("}\n");
    }
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, lines);
    Path out = dir.resolve("out");
    Cli.Result run = Cli.run("convert", "-o", out.toString(), "--record-type", "dynamic", "--schema",
        schemaFile.toString(), "--compression", "zstd", "--page-size", "4KiB", "--row-group-size", "1MiB",
        in.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    Path file = DuckDb.parquetFiles(out).get(0);

    MessageType schema = ParquetSchemas.toMessageType(RecordType.dynamic(
        JsonSchemas.parse(Files.readString(schemaFile), "record"), UnknownFields.EXTRA).schema());
    List<String> ids = readAndCheck(file, schema, CompressionCodecName.ZSTD, "id");
    assertThat(ids).hasSize(20_000);
    for (int i = 0; i < ids.size(); i++) {
      assertThat(ids.get(i)).isEqualTo(Integer.toString(i));
    }
  }

  /** Checks the footer and page index against the pages; returns the {@code idColumn} of every record in file order. */
  static List<String> readAndCheck(Path file, MessageType expectedSchema, CompressionCodecName codec,
      String idColumn) throws Exception {
    List<String> ids = new ArrayList<>();
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder().build())) {
      FileMetaData meta = reader.getFooter().getFileMetaData();
      assertThat(meta.getSchema()).isEqualTo(expectedSchema);
      assertThat(meta.getCreatedBy()).isEqualTo("json2parquet version " + Version.NUMBER);
      assertThat(meta.getKeyValueMetaData()).containsEntry("json2parquet.version", Version.NUMBER);
      List<BlockMetaData> blocks = reader.getRowGroups();
      assertThat(blocks.size()).as("row groups").isGreaterThan(1);
      long rowsBefore = 0;
      for (BlockMetaData block : blocks) {
        assertThat(block.getRowIndexOffset()).isEqualTo(rowsBefore);
        rowsBefore += block.getRowCount();
        for (ColumnChunkMetaData chunk : block.getColumns()) {
          checkChunk(file, reader, chunk, block.getRowCount(), codec);
        }
      }
      int idField = expectedSchema.getFieldIndex(idColumn);
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records = new ColumnIOFactory().getColumnIO(expectedSchema)
            .getRecordReader(pages, new GroupRecordConverter(expectedSchema));
        for (long r = 0; r < pages.getRowCount(); r++) {
          ids.add(records.read().getValueToString(idField, 0));
        }
      }
    }
    return ids;
  }

  private static void checkChunk(Path file, ParquetFileReader reader, ColumnChunkMetaData chunk, long rows,
      CompressionCodecName codec) throws Exception {
    String column = chunk.getPath().toDotString();
    assertThat(chunk.getCodec()).as(column).isEqualTo(codec);
    assertThat(chunk.getEncodings()).as(column).contains(Encoding.RLE);
    assertThat(chunk.getStatistics().isEmpty()).as(column).isFalse();
    assertThat(chunk.getStatistics().getNumNulls()).as(column).isBetween(0L, chunk.getValueCount());
    boolean dictionary = chunk.getEncodings().contains(Encoding.PLAIN_DICTIONARY);
    assertThat(chunk.hasDictionaryPage()).as(column).isEqualTo(dictionary);
    assertThat(chunk.getEncodingStats().hasDictionaryPages()).as(column).isEqualTo(dictionary);
    assertThat(chunk.getStartingPos()).isEqualTo(dictionary ? chunk.getDictionaryPageOffset() : chunk.getFirstDataPageOffset());

    OffsetIndex offsets = reader.readOffsetIndex(chunk);
    ColumnIndex index = reader.readColumnIndex(chunk);
    assertThat(offsets).as(column).isNotNull();
    assertThat(index).as(column).isNotNull();
    int n = offsets.getPageCount();
    assertThat(index.getNullPages()).as(column).hasSize(n);
    assertThat(index.getNullCounts().stream().mapToLong(Long::longValue).sum()).as(column)
        .isEqualTo(chunk.getStatistics().getNumNulls());
    assertThat(offsets.getFirstRowIndex(0)).isZero();
    long end = chunk.getStartingPos() + chunk.getTotalSize();
    for (int p = 0; p < n; p++) {
      long at = offsets.getOffset(p);
      assertThat(offsets.getLastRowIndex(p, rows)).isGreaterThanOrEqualTo(offsets.getFirstRowIndex(p));
      try (FileChannel channel = FileChannel.open(file)) {
        channel.position(at);
        CountingStream counted = new CountingStream(Channels.newInputStream(channel));
        PageHeader header = Util.readPageHeader(counted);
        assertThat(header.getType()).as("%s page %s", column, p).isEqualTo(PageType.DATA_PAGE);
        assertThat(counted.count + header.getCompressed_page_size()).as("%s page %s size", column, p)
            .isEqualTo(offsets.getCompressedPageSize(p));
      }
      long next = p + 1 < n ? offsets.getOffset(p + 1) : end;
      assertThat(at + offsets.getCompressedPageSize(p)).as("%s page %s is followed by the next", column, p)
          .isEqualTo(next);
    }
    assertThat(offsets.getLastRowIndex(n - 1, rows)).isEqualTo(rows - 1);
  }

  private static final class CountingStream extends java.io.FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws java.io.IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws java.io.IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
