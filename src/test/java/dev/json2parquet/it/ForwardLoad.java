package dev.json2parquet.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Load for scripts/bench-serve: sends a JSON-lines file to a forward port as PackedForward messages
 * of {@code batch} records with chunk ids over {@code connections} connections, each waiting for its
 * ack before the next message. Prints the records sent.
 *
 * <p>{@code java -cp <test classpath> dev.json2parquet.it.ForwardLoad PORT FILE CONNECTIONS BATCH}
 */
public final class ForwardLoad {
  private ForwardLoad() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    List<String> lines = Files.readAllLines(Path.of(args[1]));
    int connections = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    ObjectMapper json = new ObjectMapper();
    List<byte[]> messages = new ArrayList<>();
    Instant t = Instant.now();
    for (int i = 0; i < lines.size(); i += batch) {
      List<Map<String, Object>> recs = new ArrayList<>();
      for (String l : lines.subList(i, Math.min(lines.size(), i + batch))) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = json.readValue(l, Map.class);
        recs.add(m);
      }
      messages.add(ForwardClient.packed("bench", recs, t, "c" + i, false));
    }
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(connections);
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      int me = c;
      done.add(pool.submit(() -> {
        try (ForwardClient client = new ForwardClient(port)) {
          for (int i = me; i < messages.size(); i += connections) {
            client.send(messages.get(i));
            client.ack();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    System.out.println(lines.size() + " " + (System.nanoTime() - t0) / 1e9);
  }
}
