package io.varshift.trainer.jobs;

import java.nio.file.Path;
import java.util.List;

/**
 * Configured values a REST request falls back to, and the root that REST traffic file names are
 * resolved against (the command line takes paths as given).
 */
public record JobDefaults(List<Integer> windowSizes, double falseAlarmRate, int replicates, Path trafficDir) {

    public JobDefaults {
        windowSizes = List.copyOf(windowSizes);
        trafficDir = trafficDir.toAbsolutePath().normalize();
    }
}
