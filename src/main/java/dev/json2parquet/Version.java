package dev.json2parquet;

/** The release this build is; written into every Parquet file (created_by and key-value metadata). */
public final class Version {
  public static final String NUMBER = "0.1.0";

  private Version() {}
}
