package dev.json2parquet.it;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * serve's CPU per 100k records with little noise from a shared machine: one JVM runs serve (as
 * {@link Served} wires it, memory buffer) and the load ({@link ServeLoad}'s payloads and senders)
 * for several passes over the same data, and prints, per pass, the CPU seconds of the server's
 * threads (all but the load's and the JDK HttpClient's, summed from ThreadMXBean; JIT and GC
 * threads are not Java threads and are left out) per 100k records. The first pass warms the JIT;
 * the lowest of the later ones is the figure least disturbed by other processes.
 *
 * <p>{@code java -cp <test classpath> dev.json2parquet.it.ServeCpu http|forward FILE PASSES CONNECTIONS}
 */
public final class ServeCpu {
  private ServeCpu() {}

  public static void main(String[] args) throws Exception {
    boolean http = args[0].equals("http");
    Path file = Path.of(args[1]);
    int passes = Integer.parseInt(args[2]);
    int connections = Integer.parseInt(args[3]);
    Path out = Files.createTempDirectory("serve-cpu");
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (Served s = Served.start(out, Map.of())) {
      int port = http ? s.server.httpPort() : s.server.forwardPort();
      double best = Double.MAX_VALUE;
      for (int p = 1; p <= passes; p++) {
        // new chunk ids each pass: a chunk id seen before would be acknowledged without buffering
        ServeLoad.Load load = ServeLoad.prepare(http, port, file, 1000, "pass" + p + "-");
        long c0 = serverCpu(mx);
        load.send(connections);
        // what this pass buffered is written with the next passes' flushes; each pass hands over
        // everything it buffered so that its encoding counts in it
        s.run.pipeline().flush(null, 5, java.util.concurrent.TimeUnit.MINUTES);
        double per100k = (serverCpu(mx) - c0) / 1e9 * 100_000 / load.records();
        System.out.printf("%s pass %d: %.2f s per 100k records%n", args[0], p, per100k);
        if (p > 1) {
          best = Math.min(best, per100k);
        }
      }
      System.out.printf("%s best after warm-up: %.2f s per 100k records%n", args[0], best);
    }
  }

  private static long serverCpu(ThreadMXBean mx) {
    long sum = 0;
    for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t == null || t.getThreadName().startsWith("load-") || t.getThreadName().startsWith("HttpClient")
          || t.getThreadName().equals("main")) {
        continue;
      }
      long c = mx.getThreadCpuTime(t.getThreadId());
      sum += Math.max(0, c);
    }
    return sum;
  }
}
