package dev.json2parquet.pipeline;

import dev.json2parquet.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks that output directories can be written before a run reads anything (one line, exit 2). */
final class OutputDirs {
  private OutputDirs() {}

  /**
   * Creates {@code dir} when needed and checks that a file can be created in it; when
   * {@code removeIfCreated}, directories created only for the check are removed again (the DLQ
   * directory exists only once something is dead-lettered).
   *
   * @throws ConfigException {@code Cannot write to DIR: reason}
   */
  static void checkWritable(Path dir, boolean removeIfCreated) {
    Path abs = dir.toAbsolutePath().normalize();
    Path existing = abs;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      Files.createDirectories(abs);
      Path probe = Files.createTempFile(abs, ".write-check-", ".tmp");
      Files.delete(probe);
    } catch (IOException | UnsupportedOperationException e) {
      throw new ConfigException("Cannot write to " + dir + ": " + reason(e));
    } finally {
      if (removeIfCreated) {
        for (Path p = abs; p != null && !p.equals(existing); p = p.getParent()) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            break;
          }
        }
      }
    }
  }

  /** The reason of a file-system error in words, without repeating the path. */
  static String reason(Exception e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "cannot create a directory there (no such file or directory)";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException f) {
      return f.getFile() + " is a file, not a directory";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
