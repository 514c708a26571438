package io.varshift.trainer.cli;

import picocli.CommandLine.Option;

/** Options of every job that reads an existing model version. */
class ModelOptions {

    @Option(names = "--model", required = true, description = "model name in the store")
    String model;

    @Option(names = "--version", description = "model version (default: latest)")
    Integer version;

    @Option(names = "--batch-size", defaultValue = "256", description = "samples per eval-mode forward")
    int batchSize;
}
