package dev.json2parquet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code json2parquet dlq}: inspect, export, replay and purge dead letters. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = "Inspect, export, replay and purge the dead-letter queue.")
final class DlqCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: count, list, export, replay or purge");
  }

  static CommandLine create(Context ctx) {
    return new CommandLine(new DlqCommand());
  }
}
