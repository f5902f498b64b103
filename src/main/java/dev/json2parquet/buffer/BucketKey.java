package dev.json2parquet.buffer;

import java.util.List;

/**
 * What a record is grouped by: the raw values of the partition template and of the key template.
 * Records with equal keys go to the same files.
 */
public record BucketKey(List<String> partition, List<String> key) {
  // written out: the generated versions are bootstrapped through method handles at first use,
  // which costs start-up time, and this is called for every record

  @Override
  public boolean equals(Object o) {
    return o instanceof BucketKey other && partition.equals(other.partition) && key.equals(other.key);
  }

  @Override
  public int hashCode() {
    return 31 * partition.hashCode() + key.hashCode();
  }
}
