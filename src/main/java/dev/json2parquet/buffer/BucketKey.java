package dev.json2parquet.buffer;

import java.util.List;

/**
 * What a record is grouped by: the raw values of the partition template and of the key template.
 * Records with equal keys go to the same files.
 */
public record BucketKey(List<String> partition, List<String> key) {}
