package dev.json2parquet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code json2parquet recover}: commits the files held in the recovery store to their intended paths. */
@Command(name = "recover", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Commits files that could not be written to their intended paths, from the recovery store.")
final class RecoverCommand implements Callable<Integer> {
  private final Context ctx;

  @Mixin
  StoreOptions store;

  RecoverCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    throw new dev.json2parquet.config.ConfigException("recover is not built yet");
  }
}
