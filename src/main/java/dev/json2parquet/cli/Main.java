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
      "3:finished, some records were dead-lettered",
      "129/130/143:stopped by SIGHUP/SIGINT/SIGTERM after committing what was read"})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
  }

  static final String[] SUBCOMMANDS = {"convert", "serve", "flush", "generate", "recover", "dlq", "schema"};

  public static void main(String[] args) {
    System.exit(cli(Context.system(), args.length > 0 ? args[0] : null).execute(args));
  }

  /** The command line with every subcommand, wired to {@code ctx}; tests call {@code cli(ctx).execute(args)}. */
  public static CommandLine cli(Context ctx) {
    return cli(ctx, null);
  }

  /**
   * The command line with only the subcommand {@code first} when it names one (picocli reflects
   * over the annotations of each subcommand it is given: ~25 ms of every start for the ones a run
   * does not use), and with all of them otherwise (help, no subcommand, a typo), for the listing
   * and the error message.
   */
  static CommandLine cli(Context ctx, String first) {
    CommandLine cl = new CommandLine(new Main());
    Object only = first == null ? null : subcommand(first, ctx);
    if (only != null) {
      cl.addSubcommand(only);
    } else {
      for (String name : SUBCOMMANDS) {
        cl.addSubcommand(subcommand(name, ctx));
      }
    }
    cl.setOut(new PrintWriter(ctx.out(), true));
    cl.setErr(new PrintWriter(ctx.err(), true));
    // a usage error: the message and where the options are listed, not the whole help (it would
    // scroll the message away); exit 2 as picocli's default handler
    cl.setParameterExceptionHandler((e, args) -> {
      CommandLine cmd = e.getCommandLine();
      cmd.getErr().println(e.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr()); // "Did you mean: ...?"
      cmd.getErr().println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      boolean verbose = false;
      for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
        verbose |= p.hasMatchedOption("--verbose"); // the flag belongs to the subcommand
      }
      if (e instanceof ConfigException c) {
        for (String problem : c.problems()) {
          cmd.getErr().println("json2parquet: " + problem);
        }
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

  /** The subcommand called {@code name}, or null when there is none. */
  private static Object subcommand(String name, Context ctx) {
    return switch (name) {
      case "convert" -> new ConvertCommand(ctx);
      case "serve" -> new ServeCommand(ctx);
      case "generate" -> new GenerateCommand(ctx);
      case "flush" -> new FlushCommand(ctx);
      case "recover" -> new RecoverCommand(ctx);
      case "dlq" -> DlqCommand.create(ctx);
      case "schema" -> SchemaCommand.create(ctx);
      default -> null;
    };
  }
}
