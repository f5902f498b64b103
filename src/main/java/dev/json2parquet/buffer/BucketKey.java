package dev.json2parquet.buffer;

import java.util.List;
import java.util.Objects;

/**
 * What a record is grouped by: the raw values of the partition template and of the key template.
 * Records with equal keys go to the same files. The hash is computed once: a key is looked up in
 * the buffer for every run of records, and a high-cardinality key template makes that every record.
 */
public final class BucketKey {
  private final List<String> partition;
  private final List<String> key;
  private final int hash;

  public BucketKey(List<String> partition, List<String> key) {
    // the lists are the templates' rendered values (unmodifiable; a value may be null)
    this.partition = Objects.requireNonNull(partition, "partition");
    this.key = Objects.requireNonNull(key, "key");
    this.hash = 31 * this.partition.hashCode() + this.key.hashCode();
  }

  public List<String> partition() {
    return partition;
  }

  public List<String> key() {
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof BucketKey other && hash == other.hash && same(partition, other.partition)
        && same(key, other.key));
  }

  /** Whether this key has these values (as {@code equals} of a key made of them, without making one). */
  public boolean is(List<String> partition, List<String> key) {
    return same(this.partition, partition) && same(this.key, key);
  }

  /**
   * {@code a.equals(b)} by index: the buffer compares keys once per record, and the unmodifiable
   * lists' own equals walks both through iterator objects.
   */
  private static boolean same(List<String> a, List<String> b) {
    int n = a.size();
    if (n != b.size()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (!Objects.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "BucketKey[partition=" + partition + ", key=" + key + "]";
  }
}
