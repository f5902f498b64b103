package dev.json2parquet.parquet;

/**
 * How Parquet files are written.
 *
 * @param compression the page codec
 * @param rowGroupBytes a row group is closed once its buffered size reaches this
 * @param pageBytes target size of a data page before compression
 * @param dictionaryPageBytes a column falls back from dictionary to plain encoding past this
 */
public record WriterSettings(Compression compression, long rowGroupBytes, int pageBytes, int dictionaryPageBytes) {
  public static final long DEFAULT_ROW_GROUP_BYTES = 128L << 20;
  public static final int DEFAULT_PAGE_BYTES = 2 << 20;
  public static final int DEFAULT_DICTIONARY_PAGE_BYTES = 1 << 20;

  public static WriterSettings defaults() {
    return new WriterSettings(Compression.SNAPPY, DEFAULT_ROW_GROUP_BYTES, DEFAULT_PAGE_BYTES,
        DEFAULT_DICTIONARY_PAGE_BYTES);
  }
}
