package io.varshift.trainer.cli;

import io.varshift.trainer.TrainerConfig;
import picocli.CommandLine.Option;

import java.util.List;

/** The calibration options of a job that writes a new version (train, import); unset ones come from config. */
class CalibrationOptions {

    @Option(names = "--window-size", description = "agent window size(s) to calibrate for (default from config)")
    List<Integer> windowSizes;

    @Option(names = "--false-alarm-rate", description = "target per-window false-alarm rate (default from config)")
    Double falseAlarmRate;

    @Option(names = "--replicates", description = "bootstrap replicates of the calibration (default from config)")
    Integer replicates;

    List<Integer> windowSizes(TrainerConfig.Calibration defaults) {
        return windowSizes == null ? defaults.windowSizes() : windowSizes;
    }

    double falseAlarmRate(TrainerConfig.Calibration defaults) {
        return falseAlarmRate == null ? defaults.falseAlarmRate() : falseAlarmRate;
    }

    int replicates(TrainerConfig.Calibration defaults) {
        return replicates == null ? defaults.replicates() : replicates;
    }
}
