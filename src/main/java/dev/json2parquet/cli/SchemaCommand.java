package dev.json2parquet.cli;

import dev.json2parquet.config.ConfigException;
import dev.json2parquet.config.Sizes;
import dev.json2parquet.pipeline.SchemaSampler;
import dev.json2parquet.record.JsonSchemas;
import dev.json2parquet.record.SchemaInference;
import dev.json2parquet.source.Input;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code json2parquet schema}: work with the schemas of dynamic records. */
@Command(name = "schema", mixinStandardHelpOptions = true, description = "Work with record schemas.")
final class SchemaCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: infer");
  }

  static CommandLine create(Context ctx) {
    CommandLine cl = new CommandLine(new SchemaCommand());
    cl.addSubcommand(new Infer(ctx));
    return cl;
  }

  @Command(name = "infer", mixinStandardHelpOptions = true, sortOptions = false,
      description = {
        "Prints a JSON Schema inferred from the first records of the input, to edit and pass to convert --schema.",
        "Fields are unions of those observed; integer and number widen to number, mixed types to string;",
        "a field is optional unless present in every record; timestamps and dates are detected."})
  static final class Infer implements Callable<Integer> {
    private final Context ctx;

    Infer(Context ctx) {
      this.ctx = ctx;
    }

    @Option(names = "--sample", paramLabel = "N", defaultValue = "10000",
        description = "Records to read (default ${DEFAULT-VALUE}).")
    String sample;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "JSON-lines files (.gz too); '-' or none reads stdin.")
    List<String> files = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      long max;
      try {
        max = Sizes.parseCount(sample);
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 1) {
        throw new ConfigException("Invalid --sample = \"" + sample + "\": must be a whole number of at least 1");
      }
      SchemaInference inference = new SchemaInference();
      for (Input input : ConvertCommand.inputs(files, ctx)) {
        if (inference.records() >= max) {
          break;
        }
        SchemaSampler.sampleInto(inference, input, max);
      }
      if (inference.records() == 0) {
        ctx.err().println("json2parquet: no JSON object found in the input; nothing to infer from");
        return ExitCodes.FAILURE;
      }
      ctx.out().print(JsonSchemas.render(inference.result("record")));
      ctx.out().flush();
      ctx.err().println("json2parquet: schema inferred from " + inference.records() + " records");
      return ExitCodes.OK;
    }
  }
}
