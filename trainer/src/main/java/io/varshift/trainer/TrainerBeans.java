package io.varshift.trainer;

import io.varshift.trainer.jobs.JobDefaults;
import io.varshift.trainer.jobs.JobExecutor;
import io.varshift.trainer.jobs.JobQueue;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Wires the plain job classes into CDI. */
class TrainerBeans {

    @Produces
    @Singleton
    JobQueue jobQueue(JobExecutor executor, TrainerConfig config) {
        return new JobQueue(executor, config.queueSize(), config.jobHistory(), Clock.systemUTC());
    }

    void closeJobQueue(@Disposes JobQueue queue) {
        queue.close();
    }

    @Produces
    @Singleton
    JobDefaults jobDefaults(TrainerConfig config) {
        TrainerConfig.Calibration c = config.calibration();
        return new JobDefaults(c.windowSizes(), c.falseAlarmRate(), c.replicates(), config.trafficDir());
    }
}
