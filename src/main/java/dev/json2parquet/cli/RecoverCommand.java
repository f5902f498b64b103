package dev.json2parquet.cli;

import dev.json2parquet.config.Config;
import dev.json2parquet.dlq.Recovery;
import dev.json2parquet.dlq.RecoveryStore;
import dev.json2parquet.dlq.RecoveryStores;
import dev.json2parquet.sink.Sink;
import dev.json2parquet.sink.Sinks;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code json2parquet recover}: commits the files held in the recovery store to their intended paths. */
@Command(name = "recover", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Commits files that could not be written to their intended paths, from the recovery store, and"
        + " removes each from the store once it is committed. Safe to run again, or after a crash: a file is committed"
        + " to the same name again, which replaces it. With --buffer redis: writes the batches recorded in"
        + " redis_recovery_key again, from their records in Redis.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:every stored file was committed (or there was none)",
      "1:some files still fail; each is named with the reason and stays in the store",
      "2:usage or configuration error"})
final class RecoverCommand implements Callable<Integer> {
  private final Context ctx;

  @Mixin
  StoreOptions store;

  @Mixin
  S3Options s3;

  @Mixin
  RedisOptions redis;

  RecoverCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    Config cfg = redis.apply(s3.apply(store.loader(ctx))).build();
    if (cfg.bufferType().equals("redis")) {
      return RedisRuns.recover(cfg, ctx, false) ? ExitCodes.OK : ExitCodes.FAILURE;
    }
    StoreOptions.checkExists(cfg, cfg.recoveryDir(), "recovery store");
    Recovery.Result r = recover(cfg, ctx, false);
    return r.ok() ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  /**
   * Recovers what {@code cfg}'s store holds, reporting on {@code ctx}'s streams: every file, or with
   * {@code automatic} (convert's {@code try_auto_recover}) those with automatic attempts left.
   */
  static Recovery.Result recover(Config cfg, Context ctx, boolean automatic) throws Exception {
    RecoveryStore recoveryStore = RecoveryStores.open(cfg, ctx.clock());
    try (Sink sink = Sinks.open(cfg)) {
      Recovery recovery = new Recovery(recoveryStore, sink, automatic ? ctx.err() : ctx.out(), ctx.err())
          .skipRuns(dev.json2parquet.pipeline.Converter.runsToRollBack(cfg.outDir()));
      Recovery.Result r = recovery.run(automatic, cfg.recoveryAttempts());
      if (!automatic || r.committed() + r.failed() + r.waiting() > 0) {
        ctx.err().println(recovery.summary(r));
      }
      return r;
    }
  }
}
