package dev.json2parquet.serve;

import dev.json2parquet.config.Config;
import dev.json2parquet.config.ConfigException;
import dev.json2parquet.pipeline.Pipeline;
import dev.json2parquet.record.RecordType;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two listeners of {@code serve} over one {@link Pipeline}: the HTTP API ({@link HttpApi}) and
 * the forward protocol ({@link ForwardHandler}), both Netty servers on one event-loop group. Network
 * handlers stay thin: the event loop decodes and hands each request or message to a pool of worker
 * threads, which feed the pipeline (which may wait for buffer space) and answer once the pipeline
 * says the records are held. A connection has at most one request or message in the workers at a
 * time (it stops reading meanwhile), so the workers' queue is bounded by {@code max_connections}.
 *
 * <p>Shutdown ({@link #stop}): the listening sockets close once no connection was accepted for
 * {@link #QUIET_NANOS} (at most {@link #LISTEN_NANOS}; connections completed by the kernel are taken
 * rather than reset). Each open
 * connection goes on being read until it is settled: nothing being received or handled (no forward
 * message queued or in a worker, no HTTP request between its headers and its answer), and either no
 * byte read for {@link #QUIET_NANOS} or closed by the client; then it is closed. Forward messages
 * read meanwhile are handled and acked as usual (a client without acks has had its bytes taken by
 * TCP already, so closing such a connection unread would lose them); an HTTP request whose headers
 * arrived before the stop is handled and answered, one whose headers arrive later gets 503. At the
 * deadline every connection still open is closed. The caller then closes the pipeline, which flushes
 * and commits every key. Thread-safe.
 */
public final class Server {
  /** Settings of both listeners, read from the configuration (files are read once, at start). */
  public record Settings(String address, int port, int forwardPort, byte[] token, SslContext tls, String sharedKey,
      Map<String, byte[]> users, long maxBodyBytes, int maxConnections, long clientTimeoutNanos, String tagField, Set<String> timeNames) {

    /**
     * @throws ConfigException naming the key, for an unreadable token, certificate or key file
     */
    public static Settings of(Config config, RecordType type) {
      String address = config.value("address") == null ? "127.0.0.1" : (String) config.value("address");
      byte[] token = null;
      Object tokenFile = config.value("auth_token_file");
      if (tokenFile != null) {
        try {
          token = Files.readString(Path.of((String) tokenFile)).strip().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new ConfigException("Cannot read the auth token file " + tokenFile + ": " + HttpApi.fileReason(e));
        }
        if (token.length == 0) {
          throw new ConfigException("Invalid auth_token_file " + tokenFile + ": the file is empty");
        }
      }
      SslContext tls = null;
      Object cert = config.value("tls_cert");
      Object key = config.value("tls_key");
      if ((cert == null) != (key == null)) {
        throw new ConfigException("Invalid TLS settings: tls_cert and tls_key go together (given: "
            + (cert != null ? "tls_cert" : "tls_key") + ")");
      }
      if (cert != null) {
        try {
          tls = SslContextBuilder.forServer(Path.of((String) cert).toFile(), Path.of((String) key).toFile()).build();
        } catch (Exception e) {
          throw new ConfigException("Cannot use tls_cert " + cert + " and tls_key " + key + ": " + e.getMessage());
        }
      }
      Map<String, byte[]> users = Server.users(config);
      Set<String> timeNames = new HashSet<>();
      timeNames.add("time");
      type.aliases().forEach((alias, name) -> {
        if (name.equals("time")) {
          timeNames.add(alias);
        }
      });
      String tagField = config.value("tag_field") != null ? (String) config.value("tag_field")
          : type.catchAll() != null && type.catchAll().name().equals(RecordType.LOG_CATCH_ALL) ? "args.tag" : "tag";
      return new Settings(address, ((Number) config.value("port")).intValue(),
          ((Number) config.value("forward_port")).intValue(), token, tls, (String) config.value("forward_shared_key"),
          users, ((Number) config.value("max_body_bytes")).longValue(), ((Number) config.value("max_connections")).intValue(),
          (long) (((Number) config.value("client_timeout")).doubleValue() * 1e9), tagField, Set.copyOf(timeNames));
    }
  }

  /**
   * The forward handshake's users: {@code forward_users_file} holds one {@code user:password} per
   * line (the first colon splits; blank lines and lines starting with # are skipped), as Fluentd's
   * {@code <user>} sections give them. Null when the key is not set.
   *
   * @throws ConfigException naming the key: an unreadable or empty file, a line without a colon or
   *     with an empty user, a user twice, or no forward_shared_key (the forward protocol
   *     authenticates users only inside the shared-key handshake)
   */
  static Map<String, byte[]> users(Config config) {
    Object file = config.value("forward_users_file");
    if (file == null) {
      return null;
    }
    if (config.value("forward_shared_key") == null) {
      throw new ConfigException("Invalid forward_users_file " + file + ": user authentication is part of the"
          + " shared-key handshake; set forward_shared_key (--forward-shared-key) too");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of((String) file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("Cannot read forward_users_file " + file + ": " + e);
    }
    Map<String, byte[]> users = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int colon = l.indexOf(':');
      if (colon <= 0) {
        throw new ConfigException("Invalid forward_users_file " + file + " line " + (i + 1)
            + ": expected user:password");
      }
      if (users.put(l.substring(0, colon), l.substring(colon + 1).getBytes(StandardCharsets.UTF_8)) != null) {
        throw new ConfigException("Invalid forward_users_file " + file + " line " + (i + 1) + ": user "
            + l.substring(0, colon) + " is given twice");
      }
    }
    if (users.isEmpty()) {
      throw new ConfigException("Invalid forward_users_file " + file + ": no user:password line");
    }
    return Map.copyOf(users);
  }

  final Settings settings;
  final Pipeline pipeline;
  final String runId;
  final ServeMetrics metrics;
  final ChunkIds chunks = new ChunkIds(65_536);
  /** Answers of recent requests with an Idempotency-Key (memory buffer: 100,000 for an hour). */
  final IdempotencyKeys requests = new IdempotencyKeys(100_000, TimeUnit.HOURS.toNanos(1), dev.json2parquet.buffer.Ticker.system());
  final ForwardEvents events;
  final FluentBitDate dates;
  final PrintStream err;
  private final EventLoopGroup group;
  final ExecutorService workers;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger open = new AtomicInteger();
  /** Requests and messages handed to the workers whose answer is not written yet. */
  private final AtomicInteger inFlight = new AtomicInteger();
  volatile boolean stopping;
  /** {@link System#nanoTime} when {@link #stop} began; HTTP requests whose headers came later get 503. */
  volatile long stoppedAt = Long.MAX_VALUE;
  /** How long a connection must go without a byte, at shutdown, before it is closed: 500 ms. */
  static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /**
   * At shutdown the listeners stay open until no connection was accepted for {@link #QUIET_NANOS},
   * at most this long (2 s): a connection in the kernel's backlog was completed by TCP and may
   * carry a client's whole output already (a forward client without acks that sent and closed);
   * closing the listener would reset it unread.
   */
  static final long LISTEN_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** {@link System#nanoTime} of the last connection accepted. */
  private volatile long lastAccepted = System.nanoTime() - TimeUnit.SECONDS.toNanos(10);
  /** {@link System#nanoTime} of the last bytes read on a connection. */
  static final io.netty.util.AttributeKey<Long> LAST_READ = io.netty.util.AttributeKey.valueOf("j2p.lastRead");
  private Channel http;
  private Channel forward;

  public Server(Settings settings, Pipeline pipeline, String runId, PrintStream err) {
    this.settings = settings;
    this.pipeline = pipeline;
    this.runId = runId;
    this.err = err;
    this.metrics = new ServeMetrics(pipeline);
    this.events = new ForwardEvents(settings.tagField(), settings.timeNames(), settings.maxBodyBytes(),
        pipeline.recordType());
    this.dates = new FluentBitDate(settings.timeNames());
    this.group = new NioEventLoopGroup(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "serve-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Counts connections over both listeners and closes those over max_connections at once. */
  @ChannelHandler.Sharable
  private final class Limit extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      lastAccepted = System.nanoTime();
      // also while stopping: a connection accepted before the listener closed may carry bytes its
      // client counts as sent (Server's shutdown reads it until it settles)
      if (open.incrementAndGet() > settings.maxConnections()) {
        ctx.close();
        return;
      }
      connections.add(ctx.channel());
      super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      ctx.channel().attr(LAST_READ).set(System.nanoTime());
      super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      open.decrementAndGet();
      super.channelInactive(ctx);
    }
  }

  /**
   * The first handlers of every accepted connection, on both listeners: the connection cap, TLS when
   * configured, and the idle timeout of {@code idleNanos}; returns the pipeline for the protocol's own.
   */
  private io.netty.channel.ChannelPipeline connection(SocketChannel ch, Limit limit, long idleNanos) {
    ch.pipeline().addLast(limit);
    if (settings.tls() != null) {
      ch.pipeline().addLast(settings.tls().newHandler(ch.alloc()));
    }
    return ch.pipeline().addLast(new IdleStateHandler(idleNanos, 0, 0, TimeUnit.NANOSECONDS));
  }

  /**
   * Binds both listeners.
   *
   * @throws ConfigException when a port cannot be bound (in use, no permission, bad address)
   */
  public void start() throws InterruptedException {
    Limit limit = new Limit();
    long idle = settings.clientTimeoutNanos();
    http = bind(settings.port(), "port", new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        connection(ch, limit, idle)
            .addLast(new HttpServerCodec())
            .addLast(new HttpApi.Tracker())
            .addLast(new HttpApi.Decompressor(settings.maxBodyBytes()))
            .addLast(new HttpApi.Aggregator(settings.maxBodyBytes(), metrics))
            .addLast(new HttpApi(Server.this));
      }
    });
    if (settings.forwardPort() >= 0) {
      forward = bind(settings.forwardPort(), "forward_port", new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          connection(ch, limit, idle)
              .addLast(new ForwardFrames(settings.maxBodyBytes()))
              .addLast(new ForwardHandler(Server.this));
        }
      });
    }
  }

  private Channel bind(int port, String key, ChannelInitializer<SocketChannel> init) throws InterruptedException {
    ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024).option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true).childHandler(init);
    try {
      return b.bind(settings.address(), port).sync().channel();
    } catch (Exception e) {
      if (e instanceof InterruptedException ie) {
        throw ie;
      }
      throw new ConfigException("Cannot listen on " + settings.address() + ":" + port + " (" + key + "): " + e.getMessage());
    }
  }

  /** The bound HTTP port (the one chosen when port is 0). */
  public int httpPort() {
    return ((InetSocketAddress) http.localAddress()).getPort();
  }

  /** The bound forward port, or -1 when the forward listener is off. */
  public int forwardPort() {
    return forward == null ? -1 : ((InetSocketAddress) forward.localAddress()).getPort();
  }

  public String address() {
    return settings.address();
  }

  /** Counts a task handed to the workers; {@link #answered} counts it done once its answer is written. */
  void handedOver() {
    inFlight.incrementAndGet();
  }

  void answered() {
    synchronized (inFlight) {
      inFlight.decrementAndGet();
      inFlight.notifyAll();
    }
  }

  /**
   * Stops accepting connections, reads each open connection until it is settled (see the class
   * comment) or {@code timeoutNanos} pass, waits within the same time for the requests and messages
   * being handled to be answered, then closes every connection and stops the threads. Returns
   * whether every connection settled and every answer was written in time.
   */
  public boolean stop(long timeoutNanos) throws InterruptedException {
    stoppedAt = System.nanoTime();
    stopping = true;
    long deadline = stoppedAt + timeoutNanos;
    boolean drained = true;
    boolean listening = true;
    // connections settle on their event loops; look again every 20 ms
    while (true) {
      long now = System.nanoTime();
      if (listening && (now - Math.max(lastAccepted, stoppedAt) >= QUIET_NANOS || now - stoppedAt >= LISTEN_NANOS
          || now - deadline >= 0)) {
        closeListeners();
        listening = false;
      }
      if (!listening && connections.isEmpty()) {
        break;
      }
      if (now - deadline >= 0) {
        drained = false;
        break;
      }
      for (Channel ch : connections) {
        ch.eventLoop().execute(() -> {
          if (settled(ch)) {
            ch.close();
          }
        });
      }
      Thread.sleep(20);
    }
    synchronized (inFlight) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          drained = false;
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(inFlight, left);
      }
    }
    connections.close().await(5, TimeUnit.SECONDS);
    workers.shutdown();
    workers.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    return drained;
  }

  private void closeListeners() throws InterruptedException {
    if (http != null) {
      http.close().await();
    }
    if (forward != null) {
      forward.close().await();
    }
  }

  /** On the connection's event loop: nothing received or handled, and no byte for QUIET_NANOS. */
  private static boolean settled(Channel ch) {
    Long last = ch.attr(LAST_READ).get();
    if (last != null && System.nanoTime() - last < QUIET_NANOS) {
      return false;
    }
    ForwardHandler f = ch.pipeline().get(ForwardHandler.class);
    if (f != null) {
      return f.settled();
    }
    return !HttpApi.Tracker.receiving(ch);
  }
}
