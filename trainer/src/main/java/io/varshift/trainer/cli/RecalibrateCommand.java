package io.varshift.trainer.cli;

import io.varshift.trainer.jobs.JobRequest;
import io.varshift.trainer.jobs.RecalibrateRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

@Command(name = "recalibrate", mixinStandardHelpOptions = true,
        description = "Label-free BN re-estimation on recent traffic (a directory of NPY files); writes a new version that notes"
                + " the data source.")
class RecalibrateCommand extends JobCommand {

    @Mixin
    ModelOptions source;

    @Option(names = "--limit", defaultValue = "100000", description = "most samples to read (a memory cap)")
    int limit;

    @Parameters(arity = "1", paramLabel = "NPY_DIR",
            description = "directory of NPY files of recent traffic, each [N, C, H, W] or [C, H, W]")
    Path data;

    @Override
    JobRequest request() {
        return new RecalibrateRequest(source.model, source.version, data, limit, source.batchSize);
    }
}
