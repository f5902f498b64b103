package dev.json2parquet.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the terminal is: whether a standard stream is one, and how wide it is.
 *
 * <p>On JDK 17 {@code System.console()} is non-null only when stdin <em>and</em> stdout are both
 * terminals, so {@code cat x | json2parquet convert} or {@code convert ... > log} would hide the
 * progress bar although stderr, where it is drawn, is a terminal. {@code Console.isTerminal()}
 * (JDK 22) is not available on 17, and {@code isatty(2)} needs JNI. So on Linux this reads the
 * {@code /proc/self/fd/N} link, which names the device the stream is open on: a terminal is a
 * {@code /dev/pts/*} pseudo-terminal or a {@code /dev/tty*} console, which is what {@code test -t N}
 * answers for them. Where there is no {@code /proc} (macOS, Windows) it falls back to
 * {@code System.console() != null}. Stateless and thread-safe.
 */
final class Terminal {
  /** Columns assumed when the width cannot be found. */
  static final int DEFAULT_WIDTH = 80;

  private Terminal() {}

  /** Whether file descriptor {@code fd} (0 stdin, 1 stdout, 2 stderr) of this process is a terminal. */
  static boolean isTerminal(int fd) {
    Path link = Path.of("/proc/self/fd/" + fd);
    if (!Files.isDirectory(Path.of("/proc/self/fd"))) {
      return System.console() != null;
    }
    return isTerminalDevice(link);
  }

  /** Whether the symbolic link {@code fdLink} (a {@code /proc/self/fd} entry) points at a terminal device. */
  static boolean isTerminalDevice(Path fdLink) {
    try {
      String target = Files.readSymbolicLink(fdLink).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * The terminal's width in columns: {@code COLUMNS} from {@code env} when it is a positive number
   * (shells set it; tests inject it), else what {@code stty size} reports for {@code /dev/tty}, else
   * {@value #DEFAULT_WIDTH}. Runs {@code stty} (a few milliseconds), so call it only for a terminal.
   */
  static int width(Map<String, String> env) {
    Integer columns = positive(env.get("COLUMNS"));
    if (columns != null) {
      return columns;
    }
    try {
      Process p = new ProcessBuilder(List.of("stty", "size"))
          .redirectInput(new File("/dev/tty"))
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (p.waitFor(1, TimeUnit.SECONDS) && p.exitValue() == 0) {
        String[] rowsCols = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
        Integer cols = rowsCols.length == 2 ? positive(rowsCols[1]) : null;
        if (cols != null) {
          return cols;
        }
      } else {
        p.destroy();
      }
    } catch (IOException e) {
      // no stty or no controlling terminal
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return DEFAULT_WIDTH;
  }

  private static Integer positive(String s) {
    if (s == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(s.trim());
      return n > 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Whether {@code convert} draws its progress bar: on a terminal stderr, unless {@code --quiet}. */
  static boolean showProgress(boolean stderrIsTerminal, boolean quiet) {
    return stderrIsTerminal && !quiet;
  }

  /**
   * The line {@code convert} prints once before reading stdin from a terminal (where it would
   * otherwise sit silently waiting), or null when no input is an interactive stdin.
   */
  static String stdinNotice(List<String> files, boolean stdinIsTerminal) {
    boolean readsStdin = files.isEmpty() || files.contains("-");
    return readsStdin && stdinIsTerminal
        ? "json2parquet: waiting for JSON lines on stdin (a terminal); press Ctrl-D to end the input"
        : null;
  }
}
