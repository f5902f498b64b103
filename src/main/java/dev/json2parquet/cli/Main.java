package dev.json2parquet.cli;

import dev.json2parquet.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code json2parquet} command: subcommands and the one exception-to-exit-code mapper. */
@Command(name = "json2parquet", mixinStandardHelpOptions = true, version = "json2parquet 0.1.0",
    description = "Streams JSON lines into keyed, well-sized Parquet files.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:every record was written",
      "1:failure; the message says what was and was not written",
      "2:usage or configuration error",
      "3:finished, some records were dead-lettered"})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
  }

  public static void main(String[] args) {
    System.exit(cli(Context.system()).execute(args));
  }

  /** The command line, wired to {@code ctx}; tests call {@code cli(ctx).execute(args)}. */
  public static CommandLine cli(Context ctx) {
    CommandLine cl = new CommandLine(new Main());
    cl.addSubcommand(new ConvertCommand(ctx));
    cl.addSubcommand(new GenerateCommand(ctx));
    cl.addSubcommand(SchemaCommand.create(ctx));
    cl.setOut(new PrintWriter(ctx.out(), true));
    cl.setErr(new PrintWriter(ctx.err(), true));
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      boolean verbose = parsed.hasMatchedOption("--verbose");
      if (e instanceof ConfigException) {
        cmd.getErr().println("json2parquet: " + e.getMessage());
        return ExitCodes.USAGE;
      }
      cmd.getErr().println("json2parquet: error: " + e);
      if (verbose) {
        e.printStackTrace(cmd.getErr());
      } else {
        cmd.getErr().println("(run with --verbose for the stack trace)");
      }
      return ExitCodes.FAILURE;
    });
    return cl;
  }
}
