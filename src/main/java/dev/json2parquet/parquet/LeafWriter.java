package dev.json2parquet.parquet;

import dev.json2parquet.record.Field;
import dev.json2parquet.record.LeafColumn;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.io.api.Binary;

/**
 * Writes one leaf column of a batch into its Parquet {@link ColumnWriter}, a run of records at a
 * time, from a cursor over the batch's entries. One small subclass per value type keeps each loop
 * tight and monomorphic, and each a small unit for the JIT (one method that switched on the type
 * took C2 close to a second to compile, three times over).
 */
abstract class LeafWriter {
  final ColumnWriter writer;
  final boolean repeated;
  LeafColumn column;
  byte[] rep;
  byte[] def;
  int maxDef;
  int entry;
  int value;

  LeafWriter(ColumnWriter writer, Field leaf) {
    this.writer = writer;
    this.repeated = leaf.repetitionLevel() > 0;
  }

  static LeafWriter of(ColumnWriter writer, Field leaf) {
    return switch (leaf.type()) {
      case STRING -> new Binaries(writer, leaf);
      case BOOLEAN -> new Booleans(writer, leaf);
      case DOUBLE -> new Doubles(writer, leaf);
      case DATE -> new Ints(writer, leaf);
      default -> new Longs(writer, leaf);
    };
  }

  /** Points the writer at {@code column}, continuing from entry {@code entry} and value {@code value}. */
  void reset(LeafColumn column, int entry, int value) {
    this.column = column;
    this.rep = column.repetitions();
    this.def = column.definitions();
    this.maxDef = column.maxDefinition();
    this.entry = entry;
    this.value = value;
  }

  /** Writes the entries of the next {@code records} records. */
  final void write(int records) {
    if (!repeated) {
      writeEntries(entry, entry + records);
      return;
    }
    int end = entry;
    int n = column.entries();
    for (int r = 0; r < records; r++) {
      do {
        end++;
      } while (end < n && rep[end] != 0);
    }
    writeEntries(entry, end);
  }

  /** Writes entries {@code [from, to)} and moves the cursors past them. */
  abstract void writeEntries(int from, int to);

  private static final class Binaries extends LeafWriter {
    Binaries(ColumnWriter writer, Field leaf) {
      super(writer, leaf);
    }

    @Override
    void writeEntries(int from, int to) {
      byte[] data = column.data();
      int[] ends = column.ends();
      int v = value;
      int start = v == 0 ? 0 : ends[v - 1];
      for (int e = from; e < to; e++) {
        int d = def[e];
        if (d < maxDef) {
          writer.writeNull(rep[e], d);
        } else {
          int end = ends[v++];
          writer.write(Binary.fromReusedByteArray(data, start, end - start), rep[e], d);
          start = end;
        }
      }
      entry = to;
      value = v;
    }
  }

  private static final class Booleans extends LeafWriter {
    Booleans(ColumnWriter writer, Field leaf) {
      super(writer, leaf);
    }

    @Override
    void writeEntries(int from, int to) {
      long[] longs = column.longs();
      int v = value;
      for (int e = from; e < to; e++) {
        int d = def[e];
        if (d < maxDef) {
          writer.writeNull(rep[e], d);
        } else {
          writer.write(longs[v++] != 0, rep[e], d);
        }
      }
      entry = to;
      value = v;
    }
  }

  private static final class Longs extends LeafWriter {
    Longs(ColumnWriter writer, Field leaf) {
      super(writer, leaf);
    }

    @Override
    void writeEntries(int from, int to) {
      long[] longs = column.longs();
      int v = value;
      for (int e = from; e < to; e++) {
        int d = def[e];
        if (d < maxDef) {
          writer.writeNull(rep[e], d);
        } else {
          writer.write(longs[v++], rep[e], d);
        }
      }
      entry = to;
      value = v;
    }
  }

  private static final class Doubles extends LeafWriter {
    Doubles(ColumnWriter writer, Field leaf) {
      super(writer, leaf);
    }

    @Override
    void writeEntries(int from, int to) {
      long[] longs = column.longs();
      int v = value;
      for (int e = from; e < to; e++) {
        int d = def[e];
        if (d < maxDef) {
          writer.writeNull(rep[e], d);
        } else {
          writer.write(Double.longBitsToDouble(longs[v++]), rep[e], d);
        }
      }
      entry = to;
      value = v;
    }
  }

  private static final class Ints extends LeafWriter {
    Ints(ColumnWriter writer, Field leaf) {
      super(writer, leaf);
    }

    @Override
    void writeEntries(int from, int to) {
      long[] longs = column.longs();
      int v = value;
      for (int e = from; e < to; e++) {
        int d = def[e];
        if (d < maxDef) {
          writer.writeNull(rep[e], d);
        } else {
          writer.write((int) longs[v++], rep[e], d);
        }
      }
      entry = to;
      value = v;
    }
  }
}
